package io.ppml.core.kms;

import javax.crypto.AEADBadTagException;

/**
 * The key that wraps every primary key of a {@link LocalKms} store. Implementations: the owner-only
 * {@code root.key} file (the embedded default) and, in the key broker, a non-extractable key inside a
 * PKCS#11 token. Both produce the same envelope, {@code nonce(12) || ciphertext || tag(16)} of AES-256-GCM
 * with the caller's associated data, so a store does not depend on where its root key lives.
 */
public interface RootKey extends AutoCloseable {

  /** Seals {@code plaintext}, binding {@code aad}. */
  byte[] wrap(byte[] plaintext, byte[] aad);

  /** Opens an envelope made by {@link #wrap}; fails when the envelope, key or associated data differ. */
  byte[] unwrap(byte[] envelope, byte[] aad) throws AEADBadTagException;

  /** Where the key lives, for error messages (a file path or a token label; never key material). */
  String describe();

  /** Forgets the key (wipes it where it is held in memory). */
  @Override
  void close();
}
