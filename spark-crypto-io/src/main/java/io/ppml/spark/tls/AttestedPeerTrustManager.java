package io.ppml.spark.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a peer only if its certificate was issued by the key broker to an attested workload: the chain
 * validates (PKIX, current time) to the broker's workload CA, and the leaf carries the workload name the broker
 * puts only into certificates for attested keys ({@code ppml://workload/<identity>} as URI subject alternative
 * name) with the extended key usage of its role. A certificate the same CA signed for anything else (the
 * broker's own TLS certificate, for example) is refused.
 */
public final class AttestedPeerTrustManager extends X509ExtendedTrustManager {
  /** URI SAN prefix of workload certificates (see the key broker's certificate authority). */
  public static final String WORKLOAD_URI_PREFIX = "ppml://workload/";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final int SAN_URI = 6;

  private final X509Certificate ca;
  private final PKIXParameters pkix;

  public AttestedPeerTrustManager(X509Certificate ca) {
    this.ca = ca;
    try {
      this.pkix = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("unusable workload CA certificate", e);
    }
    // Workload certificates live for hours and are bound to one attestation; there is no CRL to consult.
    pkix.setRevocationEnabled(false);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, CLIENT_AUTH, "client");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, SERVER_AUTH, "server");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[] {ca};
  }

  private void check(X509Certificate[] chain, String purpose, String role) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("peer presented no certificate");
    }
    X509Certificate leaf = chain[0];
    String subject = leaf.getSubjectX500Principal().getName();
    // The CA itself is the trust anchor and must not be part of the path to validate.
    List<X509Certificate> path = Arrays.stream(chain).filter(c -> !c.equals(ca)).toList();
    try {
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(path), pkix);
    } catch (GeneralSecurityException e) {
      throw new CertificateException("peer certificate " + subject + " does not chain to the key broker's "
          + "workload CA: " + e.getMessage(), e);
    }
    if (!hasWorkloadName(leaf)) {
      throw new CertificateException("peer certificate " + subject + " was not issued to an attested workload "
          + "(no " + WORKLOAD_URI_PREFIX + " name)");
    }
    List<String> usages = leaf.getExtendedKeyUsage();
    if (usages == null || !usages.contains(purpose)) {
      throw new CertificateException("peer certificate " + subject + " is not valid for TLS " + role
          + " authentication");
    }
  }

  private static boolean hasWorkloadName(X509Certificate leaf) throws CertificateParsingException {
    Collection<List<?>> names = leaf.getSubjectAlternativeNames();
    if (names == null) {
      return false;
    }
    for (List<?> name : names) {
      if (((Integer) name.get(0)) == SAN_URI && String.valueOf(name.get(1)).startsWith(WORKLOAD_URI_PREFIX)) {
        return true;
      }
    }
    return false;
  }
}
