package io.ppml.core.format;

import io.ppml.core.internal.Hkdf;
import static io.ppml.core.format.SegmentedAeadFormat.MAX_SEGMENTS;
import static io.ppml.core.format.SegmentedAeadFormat.NONCE_PREFIX_SIZE;
import static io.ppml.core.format.SegmentedAeadFormat.NONCE_SIZE;
import static io.ppml.core.format.SegmentedAeadFormat.TAG_SIZE;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.secret.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts and decrypts single segments of one file with that file's segment key (derived from the data key and
 * the header's salt, version, algorithm, segment size and nonce prefix; see {@link SegmentedAeadFormat}). Holds
 * one {@link Cipher}: use one instance per thread. Close it to drop the key.
 */
public final class SegmentCipher implements AutoCloseable {
  static final byte[] KEY_INFO_LABEL = "ppml-segment-key-v1".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA_KEY_SIZE = 32;

  private final String fileName;
  private final int segmentSize;
  private final byte[] nonce = new byte[NONCE_SIZE];
  private final Cipher cipher;
  private SecretKeySpec key;

  private SegmentCipher(String fileName, int segmentSize, byte[] noncePrefix, SecretKeySpec key, Cipher cipher) {
    this.fileName = fileName;
    this.segmentSize = segmentSize;
    System.arraycopy(noncePrefix, 0, nonce, 0, NONCE_PREFIX_SIZE);
    this.key = key;
    this.cipher = cipher;
  }

  /**
   * Derives the segment key of the file with {@code header} from its 32-byte data key.
   *
   * @param fileName named in integrity errors
   */
  public static SegmentCipher create(FileHeader header, SecretBytes dataKey, String fileName) throws PpmlException {
    if (dataKey.length() != DATA_KEY_SIZE) {
      throw new IllegalArgumentException("data key must be " + DATA_KEY_SIZE + " bytes, got " + dataKey.length());
    }
    byte[] ikm = dataKey.toByteArray();
    byte[] segmentKey = null;
    try {
      segmentKey = Hkdf.sha256(ikm, header.salt(), keyInfo(header), DATA_KEY_SIZE);
      return new SegmentCipher(fileName, header.segmentSize(), header.noncePrefix(),
          new SecretKeySpec(segmentKey, "AES"), Cipher.getInstance("AES/GCM/NoPadding"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK lacks AES-GCM or HMAC-SHA256", e);
    } finally {
      Arrays.fill(ikm, (byte) 0);
      if (segmentKey != null) {
        Arrays.fill(segmentKey, (byte) 0);
      }
    }
  }

  /**
   * HKDF info: the label, then every header field that is not part of the key reference: version, algorithm,
   * segment size, nonce prefix (the salt is the HKDF salt). The key reference (key name, key version, wrapped
   * key) is bound through the data key itself, so re-wrapping a data key leaves the body valid.
   */
  static byte[] keyInfo(FileHeader header) {
    return ByteBuffer.allocate(KEY_INFO_LABEL.length + 1 + 1 + 4 + NONCE_PREFIX_SIZE)
        .put(KEY_INFO_LABEL)
        .put((byte) header.version())
        .put((byte) SegmentedAeadFormat.ALGORITHM_AES256_GCM_HKDF_SHA256)
        .putInt(header.segmentSize())
        .put(header.noncePrefix())
        .array();
  }

  /** Plaintext bytes of a full segment. */
  public int segmentSize() {
    return segmentSize;
  }

  /**
   * Encrypts segment {@code index}: all remaining bytes of {@code plaintext} (exactly the segment size unless
   * {@code last}, at most the segment size if {@code last}) into {@code out}, which needs that many plus
   * {@link SegmentedAeadFormat#TAG_SIZE} bytes of room. Never encrypt the same index of one file twice.
   *
   * @return bytes written to {@code out}
   */
  public int encrypt(long index, boolean last, ByteBuffer plaintext, ByteBuffer out) throws PpmlException {
    int length = plaintext.remaining();
    if (last ? length > segmentSize : length != segmentSize) {
      throw new IllegalArgumentException("segment " + index + " has " + length + " plaintext bytes; "
          + (last ? "the last segment holds at most " : "every segment but the last holds exactly ") + segmentSize);
    }
    checkRoom(out, length + TAG_SIZE);
    GcmWarmUp.onSegment();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key(), nonce(index, last));
      return cipher.doFinal(plaintext, out);
    } catch (GeneralSecurityException e) {
      // The JDK refuses a repeated key and nonce; only a caller encrypting one index twice gets here.
      throw new IllegalStateException("cannot encrypt segment " + index + " of " + fileName, e);
    }
  }

  /**
   * Verifies and decrypts segment {@code index} (all remaining bytes of {@code ciphertext}) into {@code out},
   * which needs room for the ciphertext length minus {@link SegmentedAeadFormat#TAG_SIZE}. On failure, the
   * positions of both buffers are unchanged and no plaintext is left in {@code out}.
   *
   * @return plaintext bytes written to {@code out}
   * @throws IntegrityException the segment does not authenticate as segment {@code index} (with that last flag)
   *     of this file, or has a length no such segment can have
   */
  public int decrypt(long index, boolean last, ByteBuffer ciphertext, ByteBuffer out) throws IntegrityException {
    int length = ciphertext.remaining();
    if (last ? length < TAG_SIZE || length > segmentSize + TAG_SIZE : length != segmentSize + TAG_SIZE) {
      throw new IntegrityException(fileName, index, "segment has " + length + " bytes");
    }
    checkRoom(out, length - TAG_SIZE);
    GcmWarmUp.onSegment();
    int ciphertextStart = ciphertext.position();
    int outStart = out.position();
    try {
      cipher.init(Cipher.DECRYPT_MODE, key(), nonce(index, last));
      return cipher.doFinal(ciphertext, out);
    } catch (AEADBadTagException e) {
      // The JDK verifies before it releases plaintext; clearing the output region makes that independent of
      // the provider.
      int end = Math.min(out.limit(), outStart + length - TAG_SIZE);
      for (int i = outStart; i < end; i++) {
        out.put(i, (byte) 0);
      }
      out.position(outStart);
      ciphertext.position(ciphertextStart);
      throw new IntegrityException(fileName, index, "segment does not authenticate");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot decrypt segment " + index + " of " + fileName, e);
    }
  }

  private GCMParameterSpec nonce(long index, boolean last) {
    if (index < 0 || index >= MAX_SEGMENTS) {
      throw new IllegalArgumentException("segment index " + index + " out of range 0..2^32-1");
    }
    nonce[7] = (byte) (index >>> 24);
    nonce[8] = (byte) (index >>> 16);
    nonce[9] = (byte) (index >>> 8);
    nonce[10] = (byte) index;
    nonce[11] = (byte) (last ? 1 : 0);
    return new GCMParameterSpec(TAG_SIZE * 8, nonce); // copies the array
  }

  private static void checkRoom(ByteBuffer out, int needed) {
    if (out.remaining() < needed) {
      throw new IllegalArgumentException("output buffer has " + out.remaining() + " bytes of room, needs " + needed);
    }
  }

  private SecretKeySpec key() {
    if (key == null) {
      throw new IllegalStateException("segment cipher of " + fileName + " is closed");
    }
    return key;
  }

  /** Drops the segment key; later calls fail. (A JDK {@link SecretKeySpec} cannot be wiped in place.) */
  @Override
  public void close() {
    key = null;
  }
}
