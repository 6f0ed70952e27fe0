package io.ppml.core.kms;

import io.ppml.core.error.MalformedInputException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A data key encrypted ("wrapped") by a version of a named primary key. Only the key management service
 * that holds the primary key can unwrap it. The {@code ciphertext} is opaque to everyone else.
 *
 * <p>Binary encoding ({@link #toBytes()}), used wherever a wrapped key is stored outside a file header
 * (Parquet key material, the command line): {@code u8 nameLength, name (UTF-8), u32 version (big-endian),
 * u16 ciphertextLength, ciphertext}.
 */
public final class WrappedKey {
  /** Longest primary key name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 255;
  /** Longest wrapped-key ciphertext accepted from any source. */
  public static final int MAX_CIPHERTEXT_BYTES = 4096;

  private final String keyName;
  private final int keyVersion;
  private final byte[] ciphertext;

  public WrappedKey(String keyName, int keyVersion, byte[] ciphertext) {
    this.keyName = KeyNames.check(keyName);
    if (keyVersion < 1) {
      throw new IllegalArgumentException("key version must be >= 1, got " + keyVersion);
    }
    if (ciphertext.length == 0 || ciphertext.length > MAX_CIPHERTEXT_BYTES) {
      throw new IllegalArgumentException("wrapped key length out of range: " + ciphertext.length);
    }
    this.keyVersion = keyVersion;
    this.ciphertext = ciphertext.clone();
  }

  public String keyName() {
    return keyName;
  }

  public int keyVersion() {
    return keyVersion;
  }

  public byte[] ciphertext() {
    return ciphertext.clone();
  }

  public byte[] toBytes() {
    byte[] name = keyName.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + name.length + 4 + 2 + ciphertext.length);
    b.put((byte) name.length).put(name).putInt(keyVersion).putShort((short) ciphertext.length).put(ciphertext);
    return b.array();
  }

  public String toBase64() {
    return Base64.getEncoder().encodeToString(toBytes());
  }

  public static WrappedKey fromBytes(byte[] encoded) throws MalformedInputException {
    try {
      ByteBuffer b = ByteBuffer.wrap(encoded);
      int nameLength = Byte.toUnsignedInt(b.get());
      byte[] name = new byte[nameLength];
      b.get(name);
      int version = b.getInt();
      int length = Short.toUnsignedInt(b.getShort());
      byte[] ct = new byte[length];
      b.get(ct);
      if (b.hasRemaining()) {
        throw new MalformedInputException("wrapped key has " + b.remaining() + " trailing bytes");
      }
      return new WrappedKey(new String(name, StandardCharsets.UTF_8), version, ct);
    } catch (RuntimeException e) {
      throw new MalformedInputException("malformed wrapped key: " + e.getMessage(), e);
    }
  }

  public static WrappedKey fromBase64(String encoded) throws MalformedInputException {
    try {
      return fromBytes(Base64.getDecoder().decode(encoded));
    } catch (IllegalArgumentException e) {
      throw new MalformedInputException("wrapped key is not base64", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WrappedKey w && w.keyName.equals(keyName) && w.keyVersion == keyVersion
        && Arrays.equals(w.ciphertext, ciphertext);
  }

  @Override
  public int hashCode() {
    return Objects.hash(keyName, keyVersion, Arrays.hashCode(ciphertext));
  }

  @Override
  public String toString() {
    return "WrappedKey[" + keyName + " v" + keyVersion + "]";
  }
}
