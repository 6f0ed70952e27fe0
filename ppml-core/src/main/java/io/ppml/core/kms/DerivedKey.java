package io.ppml.core.kms;

import io.ppml.core.secret.SecretBytes;

/**
 * A key derived inside the key management service from one version of a primary key for one purpose
 * (HKDF), so that the same name, version and purpose always give the same key while the primary key itself
 * never leaves the service. Used where a stable key is needed without a per-file header, such as
 * deterministic column encryption. Close it when done.
 */
public record DerivedKey(String keyName, int keyVersion, String purpose, SecretBytes key) implements AutoCloseable {
  @Override
  public void close() {
    key.close();
  }

  @Override
  public String toString() {
    return "DerivedKey[" + keyName + " v" + keyVersion + " for " + purpose + "]";
  }
}
