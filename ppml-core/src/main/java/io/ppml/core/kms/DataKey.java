package io.ppml.core.kms;

import io.ppml.core.secret.SecretBytes;

/**
 * A freshly generated data key: the plaintext for encrypting one file, and the same key wrapped by a
 * primary key for storing in that file's header. Close it when the file is written.
 */
public record DataKey(SecretBytes plaintext, WrappedKey wrapped) implements AutoCloseable {
  @Override
  public void close() {
    plaintext.close();
  }

  @Override
  public String toString() {
    return "DataKey[" + wrapped + "]";
  }
}
