package io.ppml.core.kms;

import io.ppml.core.error.PpmlException;
import io.ppml.core.secret.SecretBytes;
import java.util.List;

/**
 * Passes every call to another {@link KeyManagementService}; decorators extend it and override only what they
 * change (a cache, a view whose {@code close()} belongs to someone else).
 */
public abstract class ForwardingKeyManagementService implements KeyManagementService {
  protected final KeyManagementService delegate;

  protected ForwardingKeyManagementService(KeyManagementService delegate) {
    this.delegate = delegate;
  }

  @Override
  public PrimaryKeyInfo createKey(String name) throws PpmlException {
    return delegate.createKey(name);
  }

  @Override
  public PrimaryKeyInfo rotateKey(String name) throws PpmlException {
    return delegate.rotateKey(name);
  }

  @Override
  public List<PrimaryKeyInfo> listKeys() throws PpmlException {
    return delegate.listKeys();
  }

  @Override
  public DataKey generateDataKey(String keyName) throws PpmlException {
    return delegate.generateDataKey(keyName);
  }

  @Override
  public WrappedKey wrap(String keyName, SecretBytes key) throws PpmlException {
    return delegate.wrap(keyName, key);
  }

  @Override
  public SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
    return delegate.unwrap(wrapped);
  }

  @Override
  public DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
    return delegate.deriveKey(keyName, version, purpose);
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrapped) throws PpmlException {
    return delegate.rewrap(wrapped);
  }

  @Override
  public void close() throws PpmlException {
    delegate.close();
  }
}
