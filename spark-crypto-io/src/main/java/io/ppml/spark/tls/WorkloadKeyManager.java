package io.ppml.spark.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents the JVM's current {@link WorkloadIdentity} in every handshake, as client and as server. The identity
 * can be replaced while connections are open ({@link #update}): a renewed certificate is used by the next
 * handshake, established connections keep theirs.
 */
final class WorkloadKeyManager extends X509ExtendedKeyManager {
  private static final String ALIAS = "ppml-workload";
  private volatile X509ExtendedKeyManager delegate;

  WorkloadKeyManager(WorkloadIdentity identity) {
    update(identity);
  }

  void update(WorkloadIdentity identity) {
    try {
      // An in-memory store only: the password protects nothing on disk and is never kept.
      char[] password = new char[16];
      SecureRandom random = new SecureRandom();
      for (int i = 0; i < password.length; i++) {
        password[i] = (char) ('a' + random.nextInt(26));
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(ALIAS, identity.keyPair().getPrivate(), password,
          new Certificate[] {identity.certificate(), identity.ca()});
      KeyManagerFactory factory = KeyManagerFactory.getInstance("SunX509");
      factory.init(store, password);
      for (KeyManager km : factory.getKeyManagers()) {
        if (km instanceof X509ExtendedKeyManager x) {
          delegate = x;
          return;
        }
      }
      throw new IllegalStateException("no X509 key manager from SunX509");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot load the workload identity into a key manager", e);
    }
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return delegate.getClientAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseClientAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineClientAlias(keyType, issuers, engine);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return delegate.getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return delegate.chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return delegate.chooseEngineServerAlias(keyType, issuers, engine);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return delegate.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return delegate.getPrivateKey(alias);
  }
}
