package io.ppml.spark.sql;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.MalformedInputException;
import io.ppml.core.kms.KeyNames;
import io.ppml.core.secret.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * One encrypted column value. Layout (all integers big-endian):
 *
 * <pre>
 * offset  size  field
 * 0       1     format version, 0x01
 * 1       1     mode: 0x01 randomized, 0x02 deterministic
 * 2       1     n = length of the key name in bytes (1..255)
 * 3       n     primary key name, UTF-8
 * 3+n     4     primary key version (u32, >= 1)
 * 7+n     12    nonce
 * 19+n    m     ciphertext (m = plaintext length)
 * 19+n+m  16    authentication tag
 * </pre>
 *
 * Cipher: AES-256-GCM-SIV (RFC 8452), with the header (bytes 0 to 6+n) as associated data, so the version,
 * mode, key name and key version cannot be changed without the tag failing. The key is derived by the key
 * service from the named primary key version for the mode's purpose ({@link Mode#purpose}), so the two modes
 * never share a key.
 *
 * <ul>
 *   <li>Randomized: the nonce is 12 random bytes. Equal plaintexts give unrelated values.
 *   <li>Deterministic: the nonce is the first 12 bytes of HMAC-SHA256 over {@code header || plaintext} under a
 *       second derived key ({@link #DETERMINISTIC_NONCE_PURPOSE}) — a synthetic IV. Equal plaintexts under the same
 *       key version give equal values (that equality is what it reveals); different plaintexts get different
 *       nonces, so GCM-SIV's per-nonce key derivation keeps its usual bounds.
 * </ul>
 * Why GCM-SIV rather than AES-GCM: a repeated nonce under GCM reveals the authentication key; under GCM-SIV it
 * reveals only whether two messages are equal. That makes the deterministic mode sound and keeps the
 * randomized mode safe for columns with far more than 2^32 values under one key.
 */
final class ColumnCiphertext {
  static final byte FORMAT_VERSION = 1;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final String DETERMINISTIC_NONCE_PURPOSE = "column-det-nonce-v1";

  /** How a value was encrypted; each mode has its own derived key. */
  enum Mode {
    RANDOMIZED((byte) 1, "column-rnd-v1"),
    DETERMINISTIC((byte) 2, "column-det-v1");

    final byte code;
    final String purpose;

    Mode(byte code, String purpose) {
      this.code = code;
      this.purpose = purpose;
    }

    static Mode of(byte code) throws MalformedInputException {
      for (Mode m : values()) {
        if (m.code == code) {
          return m;
        }
      }
      throw new MalformedInputException("encrypted column value has unknown mode " + code);
    }
  }

  /** The clear fields of a value: what is needed to find its key. */
  record Header(Mode mode, String keyName, int keyVersion, int length) {}

  private ColumnCiphertext() {}

  static byte[] header(Mode mode, String keyName, int keyVersion) {
    byte[] name = KeyNames.check(keyName).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(3 + name.length + 4).put(FORMAT_VERSION).put(mode.code).put((byte) name.length)
        .put(name).putInt(keyVersion).array();
  }

  static Header parseHeader(byte[] value) throws MalformedInputException {
    if (value.length < 3) {
      throw new MalformedInputException("encrypted column value too short: " + value.length + " bytes");
    }
    if (value[0] != FORMAT_VERSION) {
      throw new MalformedInputException("encrypted column value has unsupported format version " + value[0]);
    }
    Mode mode = Mode.of(value[1]);
    int n = Byte.toUnsignedInt(value[2]);
    int headerLength = 3 + n + 4;
    if (n == 0 || value.length < headerLength + NONCE_BYTES + TAG_BYTES) {
      throw new MalformedInputException("encrypted column value too short: " + value.length + " bytes");
    }
    String name = new String(value, 3, n, StandardCharsets.UTF_8);
    if (!KeyNames.isValid(name)) {
      throw new MalformedInputException("encrypted column value names an invalid key");
    }
    int version = ByteBuffer.wrap(value, 3 + n, 4).getInt();
    if (version < 1) {
      throw new MalformedInputException("encrypted column value names key version " + version);
    }
    return new Header(mode, name, version, headerLength);
  }

  /**
   * Encrypts {@code plaintext}. {@code nonceKey} is used only in deterministic mode; {@code random} only in
   * randomized mode.
   */
  static byte[] seal(Mode mode, String keyName, int keyVersion, SecretBytes key, SecretBytes nonceKey,
      byte[] plaintext, SecureRandom random) {
    byte[] header = header(mode, keyName, keyVersion);
    byte[] nonce = mode == Mode.RANDOMIZED ? randomNonce(random) : syntheticNonce(nonceKey, header, plaintext);
    GCMSIVBlockCipher cipher = cipher(true, key, nonce, header);
    byte[] out = new byte[header.length + NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(nonce, 0, out, header.length, NONCE_BYTES);
    int off = header.length + NONCE_BYTES;
    try {
      off += cipher.processBytes(plaintext, 0, plaintext.length, out, off);
      cipher.doFinal(out, off);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("AES-GCM-SIV encryption failed", e);
    }
    return out;
  }

  /** Decrypts a value whose header was parsed into {@code h}; {@code key} is the key it names. */
  static byte[] open(byte[] value, Header h, SecretBytes key) throws IntegrityException {
    byte[] header = Arrays.copyOfRange(value, 0, h.length());
    byte[] nonce = Arrays.copyOfRange(value, h.length(), h.length() + NONCE_BYTES);
    int off = h.length() + NONCE_BYTES;
    GCMSIVBlockCipher cipher = cipher(false, key, nonce, header);
    byte[] out = new byte[cipher.getOutputSize(value.length - off)];
    try {
      int n = cipher.processBytes(value, off, value.length - off, out, 0);
      cipher.doFinal(out, n);
      return out;
    } catch (InvalidCipherTextException e) {
      throw new IntegrityException(null, -1, "encrypted column value under key '" + h.keyName() + "' v"
          + h.keyVersion() + " did not authenticate");
    }
  }

  private static GCMSIVBlockCipher cipher(boolean encrypt, SecretBytes key, byte[] nonce, byte[] aad) {
    GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
    byte[] k = key.toByteArray();
    try {
      cipher.init(encrypt, new AEADParameters(new KeyParameter(k), TAG_BYTES * 8, nonce, aad));
    } finally {
      Arrays.fill(k, (byte) 0);
    }
    return cipher;
  }

  private static byte[] randomNonce(SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return nonce;
  }

  private static byte[] syntheticNonce(SecretBytes nonceKey, byte[] header, byte[] plaintext) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      byte[] k = nonceKey.toByteArray();
      try {
        mac.init(new SecretKeySpec(k, "HmacSHA256"));
      } finally {
        Arrays.fill(k, (byte) 0);
      }
      mac.update(header);
      return Arrays.copyOf(mac.doFinal(plaintext), NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable in this JVM", e);
    }
  }
}
