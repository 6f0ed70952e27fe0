package io.ppml.core.secret;

import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/**
 * Key material that must not escape by accident: {@code toString} never shows the bytes, {@link #close()}
 * overwrites them, and every access after that fails. Equality is constant-time over the bytes.
 *
 * <p>Not thread-safe against concurrent {@link #close()}; share an instance only while no one closes it.
 */
public final class SecretBytes implements AutoCloseable {
  private final byte[] bytes;
  private volatile boolean destroyed;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes}; the caller may wipe its array afterwards. */
  public static SecretBytes copyOf(byte[] bytes) {
    return new SecretBytes(bytes.clone());
  }

  /** Takes ownership of {@code bytes} without copying; the caller must not keep a reference. */
  public static SecretBytes wrap(byte[] bytes) {
    return new SecretBytes(bytes);
  }

  public int length() {
    return bytes.length;
  }

  /** A copy of the secret; wipe it ({@link Arrays#fill(byte[], byte)}) when done. */
  public byte[] toByteArray() {
    checkAlive();
    return bytes.clone();
  }

  /** An AES {@link SecretKeySpec} over a copy of the bytes. */
  public SecretKeySpec toAesKey() {
    checkAlive();
    return new SecretKeySpec(bytes, "AES");
  }

  /** Constant-time comparison. */
  public boolean sameAs(SecretBytes other) {
    checkAlive();
    other.checkAlive();
    return MessageDigest.isEqual(bytes, other.bytes);
  }

  public boolean isDestroyed() {
    return destroyed;
  }

  /** Overwrites the bytes with zeros; later accesses throw {@link IllegalStateException}. */
  @Override
  public void close() {
    destroyed = true;
    Arrays.fill(bytes, (byte) 0);
  }

  private void checkAlive() {
    if (destroyed) {
      throw new IllegalStateException("secret already destroyed");
    }
  }

  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes, hidden]";
  }
}
