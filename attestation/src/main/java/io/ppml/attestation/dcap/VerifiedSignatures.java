package io.ppml.attestation.dcap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CRLException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded memo of signatures that verified, owned by one {@link DcapVerifier}. Quotes from one platform
 * repeat the same PCK chain and QE report, and collateral is shared by many quotes, so these checks are done
 * once per distinct (key, signed bytes, signature) and then recognised by a SHA-256 over exactly those
 * inputs. Only successes are remembered; a failure is recomputed every time. Validity windows and
 * revocation are never memoized: they depend on the clock and are checked on every call. The per-quote
 * signature (over the TD report) is never memoized.
 */
final class VerifiedSignatures {
  private static final int CAPACITY = 4096;
  private final Map<String, Boolean> verified = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > CAPACITY;
    }
  };

  /** Raw r||s signature over {@code message} by {@code key}. */
  boolean raw(PublicKey key, byte[] message, byte[] signature) {
    if (key == null) {
      return false;
    }
    String id = digest("raw", key.getEncoded(), message, signature);
    return known(id) || remember(id, Ecdsa.verify(key, message, signature));
  }

  /** Certificate signature by {@code issuerKey}. */
  boolean certificate(X509Certificate cert, PublicKey issuerKey) {
    byte[] der;
    try {
      der = cert.getEncoded();
    } catch (CertificateEncodingException e) {
      return false;
    }
    String id = digest("cert", issuerKey.getEncoded(), der, new byte[0]);
    return known(id) || remember(id, Ecdsa.verify(cert, issuerKey));
  }

  /** CRL signature by {@code issuerKey}. */
  boolean crl(X509CRL crl, PublicKey issuerKey) {
    byte[] der;
    try {
      der = crl.getEncoded();
    } catch (CRLException e) {
      return false;
    }
    String id = digest("crl", issuerKey.getEncoded(), der, new byte[0]);
    return known(id) || remember(id, Ecdsa.verify(crl, issuerKey));
  }

  private synchronized boolean known(String id) {
    return verified.get(id) != null;
  }

  private synchronized boolean remember(String id, boolean valid) {
    if (valid) {
      verified.put(id, Boolean.TRUE);
    }
    return valid;
  }

  private static String digest(String kind, byte[] key, byte[] message, byte[] signature) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] part : new byte[][] {kind.getBytes(StandardCharsets.US_ASCII), key, message, signature}) {
        md.update(new byte[] {(byte) (part.length >>> 24), (byte) (part.length >>> 16),
            (byte) (part.length >>> 8), (byte) part.length});
        md.update(part);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
