package io.ppml.core.internal;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF-SHA256 (RFC 5869) over the JDK's HMAC, which Java 17 does not offer as a KDF of its own. Same
 * construction as Tink's {@code subtle.Hkdf}.
 */
public final class Hkdf {
  private static final String HMAC = "HmacSHA256";
  private static final int HASH_BYTES = 32;

  private Hkdf() {}

  /** {@code length} bytes of output keying material; an empty salt means HashLen zero bytes. */
  public static byte[] sha256(byte[] ikm, byte[] salt, byte[] info, int length) {
    if (length < 1 || length > 255 * HASH_BYTES) {
      throw new IllegalArgumentException("HKDF output length out of range: " + length);
    }
    byte[] prk = null;
    byte[] block = new byte[0];
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(salt.length == 0 ? new byte[HASH_BYTES] : salt, HMAC));
      prk = mac.doFinal(ikm);
      mac.init(new SecretKeySpec(prk, HMAC));
      byte[] out = new byte[length];
      int done = 0;
      for (int counter = 1; done < length; counter++) {
        mac.update(block);
        mac.update(info);
        mac.update((byte) counter);
        Arrays.fill(block, (byte) 0);
        block = mac.doFinal();
        int n = Math.min(block.length, length - done);
        System.arraycopy(block, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable in this JVM", e);
    } finally {
      if (prk != null) {
        Arrays.fill(prk, (byte) 0);
      }
      Arrays.fill(block, (byte) 0);
    }
  }
}
