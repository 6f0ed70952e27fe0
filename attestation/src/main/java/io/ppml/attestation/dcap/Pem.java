package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import java.io.ByteArrayInputStream;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Bounded parsing of PEM certificate chains and CRLs. */
final class Pem {
  /** Real chains are about 3 KiB; anything much larger is not a PCK or issuer chain. */
  static final int MAX_CHAIN_CHARS = 64 * 1024;
  static final int MAX_CERTIFICATES = 5;
  static final int MAX_CRL_BYTES = 4 * 1024 * 1024;
  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";

  private Pem() {}

  /** The certificates of a PEM chain, in order; failures carry {@code reason}. */
  static List<X509Certificate> certificates(String pem, String what, Reason reason)
      throws AttestationException {
    if (pem.length() > MAX_CHAIN_CHARS) {
      throw new AttestationException(reason, what + " is larger than " + MAX_CHAIN_CHARS + " characters");
    }
    List<X509Certificate> out = new ArrayList<>();
    int from = 0;
    while (true) {
      int begin = pem.indexOf(BEGIN, from);
      if (begin < 0) {
        break;
      }
      int end = pem.indexOf(END, begin);
      if (end < 0) {
        throw new AttestationException(reason, what + " has an unterminated certificate");
      }
      if (out.size() == MAX_CERTIFICATES) {
        throw new AttestationException(reason, what + " has more than " + MAX_CERTIFICATES + " certificates");
      }
      try {
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
        out.add((X509Certificate) factory().generateCertificate(new ByteArrayInputStream(der)));
      } catch (CertificateException | RuntimeException e) {
        throw new AttestationException(reason, what + " certificate " + out.size() + " does not parse", e);
      }
      from = end + END.length();
    }
    if (out.isEmpty()) {
      throw new AttestationException(reason, what + " holds no certificate");
    }
    return List.copyOf(out);
  }

  /** A CRL in DER or PEM form. */
  static X509CRL crl(byte[] encoded, String what) throws AttestationException {
    if (encoded.length > MAX_CRL_BYTES) {
      throw new AttestationException(Reason.CRL_INVALID, what + " is larger than " + MAX_CRL_BYTES + " bytes");
    }
    try {
      return (X509CRL) factory().generateCRL(new ByteArrayInputStream(encoded));
    } catch (CRLException | CertificateException | RuntimeException e) {
      throw new AttestationException(Reason.CRL_INVALID, what + " does not parse", e);
    }
  }

  private static CertificateFactory factory() throws CertificateException {
    return CertificateFactory.getInstance("X.509");
  }
}
