package io.ppml.core.kms;

import io.ppml.core.error.PpmlException;
import io.ppml.core.secret.SecretBytes;
import java.util.List;

/**
 * Holds named, versioned primary keys that never leave it, and wraps and unwraps data keys with them.
 *
 * <p>Implementations: {@code LocalKms} (embedded store under {@code PPML_HOME}) and the key broker client
 * (keys released only to attested workloads). Every method may throw {@link PpmlException} subtypes:
 * {@code UnknownKeyException} for a missing key or version, {@code KeyAccessDeniedException} when policy
 * forbids the operation, {@code IntegrityException} when a wrapped key does not authenticate,
 * {@code KmsException} when the store or server fails. Implementations are thread-safe.
 */
public interface KeyManagementService extends AutoCloseable {

  /** Creates primary key {@code name} at version 1. Fails with {@code KeyExistsException} if it exists. */
  PrimaryKeyInfo createKey(String name) throws PpmlException;

  /** Adds a new version to {@code name}; new data keys use it; older versions keep unwrapping. */
  PrimaryKeyInfo rotateKey(String name) throws PpmlException;

  /** All primary keys, sorted by name. */
  List<PrimaryKeyInfo> listKeys() throws PpmlException;

  /** A new random 256-bit data key, wrapped by the newest version of {@code keyName}. */
  DataKey generateDataKey(String keyName) throws PpmlException;

  /** Wraps caller-supplied key bytes (Parquet's own data keys) under the newest version of {@code keyName}. */
  WrappedKey wrap(String keyName, SecretBytes key) throws PpmlException;

  /** Unwraps a data key; the wrapped key names the primary key and version. */
  SecretBytes unwrap(WrappedKey wrapped) throws PpmlException;

  /**
   * A key derived from {@code version} of {@code keyName} (0 means the newest) for {@code purpose}, a short
   * ASCII label such as {@code "column-det-v1"}. Same inputs, same key; another purpose or version, another key.
   */
  DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException;

  /** Re-wraps a data key under the newest version of its primary key, without exposing it to the caller. */
  WrappedKey rewrap(WrappedKey wrapped) throws PpmlException;

  @Override
  void close() throws PpmlException;
}
