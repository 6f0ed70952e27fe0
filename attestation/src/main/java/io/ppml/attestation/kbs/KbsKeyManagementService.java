package io.ppml.attestation.kbs;

import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.PrimaryKeyInfo;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.util.List;

/**
 * {@link KeyManagementService} backed by the key broker: data keys, unwrapping, rewrapping and derivation go
 * through an attested {@link KbsClient}; creating, rotating and listing primary keys need an admin
 * credential and otherwise fail with {@code KeyAccessDeniedException} (rule "no admin credential
 * configured"). Primary keys never leave the broker. Closing it drops the token and the ephemeral key.
 */
public final class KbsKeyManagementService implements KeyManagementService {
  private final KbsClient client;

  public KbsKeyManagementService(KbsClient client) {
    this.client = client;
  }

  /** Builds the client from configuration (URL, CA file, TEE kind, optional admin key). */
  public static KbsKeyManagementService open(KbsClientConfig config) throws PpmlException {
    return new KbsKeyManagementService(config.newClient());
  }

  @Override
  public PrimaryKeyInfo createKey(String name) throws PpmlException {
    return client.createKey(name);
  }

  @Override
  public PrimaryKeyInfo rotateKey(String name) throws PpmlException {
    return client.rotateKey(name);
  }

  /** Disables or re-enables primary key {@code name} at the broker (admin; see {@link KbsClient#setKeyEnabled}). */
  public PrimaryKeyInfo setEnabled(String name, boolean enabled) throws PpmlException {
    return client.setKeyEnabled(name, enabled);
  }

  @Override
  public List<PrimaryKeyInfo> listKeys() throws PpmlException {
    return client.listKeys();
  }

  @Override
  public DataKey generateDataKey(String keyName) throws PpmlException {
    return client.generateDataKey(keyName);
  }

  @Override
  public WrappedKey wrap(String keyName, SecretBytes key) throws PpmlException {
    return client.wrap(keyName, key);
  }

  @Override
  public SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
    return client.unwrap(wrapped);
  }

  @Override
  public DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
    return client.deriveKey(keyName, version, purpose);
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrapped) throws PpmlException {
    return client.rewrap(wrapped);
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "KbsKeyManagementService[" + client + "]";
  }
}
