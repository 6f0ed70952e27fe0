package io.ppml.core.format;

import static io.ppml.core.format.SegmentedAeadFormat.FIXED_HEADER_SIZE;
import static io.ppml.core.format.SegmentedAeadFormat.MAX_HEADER_SIZE;
import static io.ppml.core.format.SegmentedAeadFormat.MAX_SEGMENTS;
import static io.ppml.core.format.SegmentedAeadFormat.NONCE_PREFIX_SIZE;
import static io.ppml.core.format.SegmentedAeadFormat.SALT_SIZE;
import static io.ppml.core.format.SegmentedAeadFormat.TAG_SIZE;

import io.ppml.core.error.MalformedInputException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyNames;
import io.ppml.core.kms.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The parsed, immutable header of a file in the {@link SegmentedAeadFormat segmented format}, with the
 * arithmetic that locates segments in the body. Parsing checks layout only; the header is authenticated when
 * the data key unwraps and the first segment decrypts (see {@link SegmentedAeadFormat} for which mechanism
 * covers which field).
 */
public final class FileHeader {
  private static final byte[] MAGIC = {'P', 'P', 'M', 'L'};

  private final byte[] encoded;
  private final int segmentSize;
  private final WrappedKey wrappedKey;
  private final byte[] salt;
  private final byte[] noncePrefix;

  private FileHeader(byte[] encoded, int segmentSize, WrappedKey wrappedKey, byte[] salt, byte[] noncePrefix) {
    this.encoded = encoded;
    this.segmentSize = segmentSize;
    this.wrappedKey = wrappedKey;
    this.salt = salt;
    this.noncePrefix = noncePrefix;
  }

  /** A header for a new file, with a fresh random salt and nonce prefix. */
  public static FileHeader create(WrappedKey wrappedDek, int segmentSize) {
    SecureRandom random = new SecureRandom();
    byte[] salt = new byte[SALT_SIZE];
    byte[] noncePrefix = new byte[NONCE_PREFIX_SIZE];
    random.nextBytes(salt);
    random.nextBytes(noncePrefix);
    return create(wrappedDek, segmentSize, salt, noncePrefix);
  }

  /**
   * A header with the given salt and nonce prefix. Only for known-answer tests: a file must never reuse a salt
   * and nonce prefix with the same data key.
   */
  public static FileHeader create(WrappedKey wrappedDek, int segmentSize, byte[] salt, byte[] noncePrefix) {
    SegmentedAeadFormat.checkSegmentSize(segmentSize);
    if (salt.length != SALT_SIZE || noncePrefix.length != NONCE_PREFIX_SIZE) {
      throw new IllegalArgumentException("salt must be " + SALT_SIZE + " bytes and nonce prefix "
          + NONCE_PREFIX_SIZE + " bytes");
    }
    byte[] name = wrappedDek.keyName().getBytes(StandardCharsets.UTF_8);
    byte[] wrapped = wrappedDek.ciphertext();
    int length = FIXED_HEADER_SIZE + name.length + wrapped.length;
    ByteBuffer b = ByteBuffer.allocate(length);
    b.put(MAGIC)
        .put((byte) SegmentedAeadFormat.VERSION)
        .put((byte) SegmentedAeadFormat.ALGORITHM_AES256_GCM_HKDF_SHA256)
        .putShort((short) length)
        .putInt(segmentSize)
        .put((byte) name.length).put(name)
        .putInt(wrappedDek.keyVersion())
        .putShort((short) wrapped.length).put(wrapped)
        .put(salt)
        .put(noncePrefix);
    return new FileHeader(b.array(), segmentSize, wrappedDek, salt.clone(), noncePrefix.clone());
  }

  /**
   * This header with the data key wrapped differently, such as by {@link
   * io.ppml.core.kms.KeyManagementService#rewrap}: the body stays valid only if {@code rewrapped} holds the same
   * data key. The header length changes if the wrapped key's length does, and with it every segment offset.
   */
  public FileHeader withWrappedKey(WrappedKey rewrapped) {
    return create(rewrapped, segmentSize, salt, noncePrefix);
  }

  /**
   * Reads exactly the header bytes from {@code in}, leaving it at segment 0.
   *
   * @param fileName named in error messages
   * @throws MalformedInputException bad magic, unknown version or algorithm, a field out of range, or the input
   *     ends inside the header
   */
  public static FileHeader read(InputStream in, String fileName) throws PpmlException {
    byte[] start = readFully(in, 8, fileName);
    if (!Arrays.equals(start, 0, 4, MAGIC, 0, 4)) {
      throw malformed(fileName, "not a ppml encrypted file (bad magic)");
    }
    int version = Byte.toUnsignedInt(start[4]);
    if (version != SegmentedAeadFormat.VERSION) {
      throw malformed(fileName, "unsupported format version " + version);
    }
    int algorithm = Byte.toUnsignedInt(start[5]);
    if (algorithm != SegmentedAeadFormat.ALGORITHM_AES256_GCM_HKDF_SHA256) {
      throw malformed(fileName, "unsupported algorithm " + algorithm);
    }
    int length = ((start[6] & 0xff) << 8) | (start[7] & 0xff);
    if (length < FIXED_HEADER_SIZE + 2 || length > MAX_HEADER_SIZE) {
      throw malformed(fileName, "header length " + length + " out of range");
    }
    byte[] encoded = Arrays.copyOf(start, length);
    System.arraycopy(readFully(in, length - 8, fileName), 0, encoded, 8, length - 8);
    return parse(encoded, fileName);
  }

  private static FileHeader parse(byte[] encoded, String fileName) throws MalformedInputException {
    ByteBuffer b = ByteBuffer.wrap(encoded).position(8);
    int segmentSize = b.getInt();
    if (segmentSize < SegmentedAeadFormat.MIN_SEGMENT_SIZE || segmentSize > SegmentedAeadFormat.MAX_SEGMENT_SIZE) {
      throw malformed(fileName, "segment size " + Integer.toUnsignedString(segmentSize) + " out of range");
    }
    int nameLength = Byte.toUnsignedInt(b.get());
    // Each variable field is checked against the bytes left, so a hostile length cannot overrun.
    int expected = FIXED_HEADER_SIZE + nameLength;
    if (nameLength == 0 || expected > encoded.length) {
      throw malformed(fileName, "key name length " + nameLength + " does not fit the header");
    }
    byte[] name = new byte[nameLength];
    b.get(name);
    String keyName = new String(name, StandardCharsets.UTF_8);
    if (!KeyNames.isValid(keyName) || !Arrays.equals(name, keyName.getBytes(StandardCharsets.UTF_8))) {
      throw malformed(fileName, "invalid key name in header");
    }
    int keyVersion = b.getInt();
    if (keyVersion < 1) {
      throw malformed(fileName, "key version " + Integer.toUnsignedString(keyVersion) + " out of range");
    }
    int wrappedLength = Short.toUnsignedInt(b.getShort());
    if (wrappedLength == 0 || wrappedLength > WrappedKey.MAX_CIPHERTEXT_BYTES
        || expected + wrappedLength != encoded.length) {
      throw malformed(fileName, "wrapped key length " + wrappedLength + " disagrees with header length "
          + encoded.length);
    }
    byte[] wrapped = new byte[wrappedLength];
    b.get(wrapped);
    byte[] salt = new byte[SALT_SIZE];
    b.get(salt);
    byte[] noncePrefix = new byte[NONCE_PREFIX_SIZE];
    b.get(noncePrefix);
    return new FileHeader(encoded, segmentSize, new WrappedKey(keyName, keyVersion, wrapped), salt, noncePrefix);
  }

  private static byte[] readFully(InputStream in, int n, String fileName) throws PpmlException {
    try {
      byte[] bytes = in.readNBytes(n);
      if (bytes.length != n) {
        throw malformed(fileName, "file ends inside the header");
      }
      return bytes;
    } catch (PpmlException e) {
      throw e;
    } catch (IOException e) {
      throw new MalformedInputException("cannot read header of " + fileName + ": " + e.getMessage(), e);
    }
  }

  private static MalformedInputException malformed(String fileName, String what) {
    return new MalformedInputException("bad header in " + fileName + ": " + what);
  }

  /** The header bytes exactly as stored. */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** Header bytes; segment 0 starts at this offset. */
  public int length() {
    return encoded.length;
  }

  public int version() {
    return SegmentedAeadFormat.VERSION;
  }

  /** Plaintext bytes per segment. */
  public int segmentSize() {
    return segmentSize;
  }

  public String keyName() {
    return wrappedKey.keyName();
  }

  public int keyVersion() {
    return wrappedKey.keyVersion();
  }

  /** The data key wrapped by {@link #keyName()} version {@link #keyVersion()}. */
  public WrappedKey wrappedKey() {
    return wrappedKey;
  }

  byte[] salt() {
    return salt.clone();
  }

  byte[] noncePrefix() {
    return noncePrefix.clone();
  }

  /** Stored bytes of a full segment: {@link #segmentSize()} plus the tag. */
  public int ciphertextSegmentSize() {
    return segmentSize + TAG_SIZE;
  }

  /** Byte offset in the file where ciphertext segment {@code index} starts (0 &lt;= index &lt;= 2^32). */
  public long segmentOffset(long index) {
    if (index < 0 || index > MAX_SEGMENTS) {
      throw new IllegalArgumentException("segment index " + index + " out of range");
    }
    return encoded.length + index * ciphertextSegmentSize();
  }

  /**
   * Number of segments in a complete file of {@code fileLength} bytes (at least 1).
   *
   * @throws MalformedInputException if no complete file has that length (too short for one tag, a last segment
   *     shorter than a tag, or more than 2^32 segments)
   */
  public long segmentCount(long fileLength) throws MalformedInputException {
    long body = fileLength - encoded.length;
    if (body < TAG_SIZE) {
      throw new MalformedInputException("file of " + fileLength + " bytes is too short for header and one segment");
    }
    long full = body / ciphertextSegmentSize();
    long rest = body % ciphertextSegmentSize();
    if (rest != 0 && rest < TAG_SIZE) {
      throw new MalformedInputException("file of " + fileLength + " bytes ends inside a segment tag");
    }
    long count = rest == 0 ? full : full + 1;
    if (count > MAX_SEGMENTS) {
      throw new MalformedInputException("file of " + fileLength + " bytes has more than 2^32 segments");
    }
    return count;
  }

  /** Plaintext bytes in a complete file of {@code fileLength} bytes; see {@link #segmentCount(long)}. */
  public long plaintextLength(long fileLength) throws MalformedInputException {
    long count = segmentCount(fileLength);
    long lastCiphertext = fileLength - segmentOffset(count - 1);
    return (count - 1) * segmentSize + (lastCiphertext - TAG_SIZE);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileHeader h && Arrays.equals(h.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "FileHeader[v" + SegmentedAeadFormat.VERSION + ", segment " + segmentSize + " bytes, " + wrappedKey + "]";
  }
}
