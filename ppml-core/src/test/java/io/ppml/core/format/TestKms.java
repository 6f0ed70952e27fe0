package io.ppml.core.format;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.KeyExistsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.PrimaryKeyInfo;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real, in-memory key management service for format tests: primary keys are random AES-256 keys held in this
 * object, data keys are wrapped with AES-256-GCM (12-byte random nonce || ciphertext || tag, associated data =
 * key name and version). It is a fixture for the format, not the project's KMS.
 */
public final class TestKms implements KeyManagementService {
  private final SecureRandom random = new SecureRandom();
  private final Map<String, List<byte[]>> keys = new TreeMap<>();

  /** A KMS holding primary key {@code name} at version 1. */
  public static TestKms withKey(String name) throws PpmlException {
    TestKms kms = new TestKms();
    kms.createKey(name);
    return kms;
  }

  @Override
  public synchronized PrimaryKeyInfo createKey(String name) throws PpmlException {
    if (keys.containsKey(name)) {
      throw new KeyExistsException(name);
    }
    keys.put(name, new ArrayList<>(List.of(randomBytes(32))));
    return info(name);
  }

  @Override
  public synchronized PrimaryKeyInfo rotateKey(String name) throws PpmlException {
    versions(name).add(randomBytes(32));
    return info(name);
  }

  @Override
  public synchronized List<PrimaryKeyInfo> listKeys() {
    List<PrimaryKeyInfo> all = new ArrayList<>();
    for (String name : keys.keySet()) {
      all.add(info(name));
    }
    return all;
  }

  @Override
  public DataKey generateDataKey(String keyName) throws PpmlException {
    SecretBytes key = SecretBytes.wrap(randomBytes(32));
    return new DataKey(key, wrap(keyName, key));
  }

  @Override
  public synchronized WrappedKey wrap(String keyName, SecretBytes key) throws PpmlException {
    int version = versions(keyName).size();
    byte[] nonce = randomBytes(12);
    byte[] plain = key.toByteArray();
    try {
      Cipher c = gcm(Cipher.ENCRYPT_MODE, keyName, version, nonce);
      byte[] sealed = c.doFinal(plain);
      return new WrappedKey(keyName, version, ByteBuffer.allocate(12 + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  @Override
  public synchronized SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
    byte[] ct = wrapped.ciphertext();
    if (ct.length < 12 + 16) {
      throw new IntegrityException("wrapped key of " + wrapped.keyName(), -1, "too short");
    }
    try {
      Cipher c = gcm(Cipher.DECRYPT_MODE, wrapped.keyName(), wrapped.keyVersion(),
          Arrays.copyOf(ct, 12));
      return SecretBytes.wrap(c.doFinal(ct, 12, ct.length - 12));
    } catch (AEADBadTagException e) {
      throw new IntegrityException("wrapped key of " + wrapped.keyName(), -1, "does not authenticate");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
    int v = version == 0 ? versions(keyName).size() : version;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(primary(keyName, v), "HmacSHA256"));
      byte[] key = mac.doFinal(purpose.getBytes(StandardCharsets.US_ASCII));
      return new DerivedKey(keyName, v, purpose, SecretBytes.wrap(key));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrapped) throws PpmlException {
    try (SecretBytes key = unwrap(wrapped)) {
      return wrap(wrapped.keyName(), key);
    }
  }

  @Override
  public void close() {}

  private Cipher gcm(int mode, String name, int version, byte[] nonce)
      throws PpmlException, GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, new SecretKeySpec(primary(name, version), "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD((name + "#" + version).getBytes(StandardCharsets.UTF_8));
    return c;
  }

  private byte[] primary(String name, int version) throws UnknownKeyException {
    List<byte[]> v = versions(name);
    if (version < 1 || version > v.size()) {
      throw new UnknownKeyException(name, version);
    }
    return v.get(version - 1);
  }

  private List<byte[]> versions(String name) throws UnknownKeyException {
    List<byte[]> v = keys.get(name);
    if (v == null) {
      throw new UnknownKeyException(name, 0);
    }
    return v;
  }

  private PrimaryKeyInfo info(String name) {
    Instant now = Instant.now();
    return new PrimaryKeyInfo(name, keys.get(name).size(), now, now, true);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
