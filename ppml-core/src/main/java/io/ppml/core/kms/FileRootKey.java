package io.ppml.core.kms;

import io.ppml.core.secret.SecretBytes;
import java.nio.file.Path;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;

/** The {@code root.key} file's key held in memory ({@link RootKeyFile}), wrapping with {@link GcmEnvelope}. */
final class FileRootKey implements RootKey {
  private final SecretBytes key;
  private final Path file;
  private final SecureRandom random;

  FileRootKey(SecretBytes key, Path file, SecureRandom random) {
    this.key = key;
    this.file = file;
    this.random = random;
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) {
    return GcmEnvelope.seal(key, plaintext, aad, random);
  }

  @Override
  public byte[] unwrap(byte[] envelope, byte[] aad) throws AEADBadTagException {
    return GcmEnvelope.open(key, envelope, aad);
  }

  @Override
  public String describe() {
    return file.toString();
  }

  @Override
  public void close() {
    key.close();
  }
}
