package io.ppml.kbs.server;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The broker's certificate authority (EC P-256, SHA256withECDSA): signs its own TLS server certificate in
 * development mode and the short-lived certificates attested workloads get for mutual TLS.
 */
final class CertificateAuthority {
  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Clock clock;
  private final SecureRandom random;

  CertificateAuthority(X509Certificate certificate, PrivateKey key, Clock clock, SecureRandom random) {
    this.certificate = certificate;
    this.key = key;
    this.clock = clock;
    this.random = random;
  }

  /** A new self-signed CA valid for ten years. */
  static CertificateAuthority generate(String commonName, Clock clock, SecureRandom random)
      throws GeneralSecurityException {
    KeyPair pair = newKeyPair(random);
    Instant now = clock.instant();
    X500Name name = new X500Name("CN=" + commonName);
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(random),
          Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(3650))), name,
          pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate cert = sign(b, pair.getPrivate());
      return new CertificateAuthority(cert, pair.getPrivate(), clock, random);
    } catch (CertIOException e) {
      throw new GeneralSecurityException("cannot build CA certificate", e);
    }
  }

  static KeyPair newKeyPair(SecureRandom random) throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"), random);
    return g.generateKeyPair();
  }

  X509Certificate certificate() {
    return certificate;
  }

  PrivateKey privateKey() {
    return key;
  }

  /** A TLS server certificate for {@code hosts} (IP literals become IP SANs, others DNS SANs). */
  X509Certificate issueServer(PublicKey subjectKey, List<String> hosts, Duration validity)
      throws GeneralSecurityException {
    List<GeneralName> names = new ArrayList<>();
    for (String h : hosts) {
      names.add(new GeneralName(h.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, h));
    }
    return issue(subjectKey, "CN=" + hosts.get(0), names, validity,
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth});
  }

  /**
   * A workload certificate: subject {@code CN=<identity>}, SAN URI {@code ppml://workload/<identity>}, for
   * both TLS client and server authentication (Spark peers are both).
   */
  X509Certificate issueWorkload(PublicKey subjectKey, String identity, Duration validity)
      throws GeneralSecurityException {
    return issue(subjectKey, "CN=" + identity + ",O=ppml workload",
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, "ppml://workload/" + identity)), validity,
        new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth});
  }

  private X509Certificate issue(PublicKey subjectKey, String subject, List<GeneralName> sans, Duration validity,
      KeyPurposeId[] purposes) throws GeneralSecurityException {
    Instant now = clock.instant();
    Instant notAfter = now.plus(validity);
    if (notAfter.isAfter(certificate.getNotAfter().toInstant())) {
      notAfter = certificate.getNotAfter().toInstant();
    }
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(random),
          Date.from(now.minus(Duration.ofMinutes(1))), Date.from(notAfter), new X500Name(subject), subjectKey);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
      b.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(sans.toArray(GeneralName[]::new)));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
      return sign(b, key);
    } catch (CertIOException e) {
      throw new GeneralSecurityException("cannot build certificate", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign certificate", e);
    }
  }

  private static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).add(BigInteger.ONE);
  }
}
