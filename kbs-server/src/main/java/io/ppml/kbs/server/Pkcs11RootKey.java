package io.ppml.kbs.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import io.ppml.core.kms.RootKey;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The broker's root key inside a PKCS#11 token (SoftHSM2 in tests, an HSM in production), used through the
 * JDK's SunPKCS11 provider configured at run time. The key is an AES-256 token object generated in the token
 * with {@code CKA_SENSITIVE=true} and {@code CKA_EXTRACTABLE=false}: its bytes never reach this process.
 *
 * <p>Wrapping runs in the token: AES-256-GCM ({@code CKM_AES_GCM}) with a random 12-byte nonce and the
 * caller's associated data, output {@code nonce || ciphertext || tag(16)} — the same envelope as the file root
 * key, so the store format does not depend on where the root key lives. (SoftHSM2 2.6 implements
 * {@code CKM_AES_GCM} and SunPKCS11 on Java 17 exposes it as {@code AES/GCM/NoPadding}; verified by the tests.)
 */
final class Pkcs11RootKey implements RootKey {
  static final int NONCE_BYTES = 12;
  static final int TAG_BITS = 128;

  private final Provider provider;
  private final SecretKey key;
  private final SecureRandom random;
  private final String label;

  private Pkcs11RootKey(Provider provider, SecretKey key, SecureRandom random, String label) {
    this.provider = provider;
    this.key = key;
    this.random = random;
    this.label = label;
  }

  /**
   * Logs into the token and finds the AES key labelled {@code keyLabel}, generating it in the token if absent.
   *
   * @param library the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
   * @param slotListIndex the token's index in the module's slot list
   */
  static Pkcs11RootKey open(Path library, int slotListIndex, char[] pin, String keyLabel, SecureRandom random)
      throws IOException {
    if (!Files.isRegularFile(library)) {
      throw new IOException("PKCS#11 library " + library + " not found (install softhsm2 or the HSM's module)");
    }
    String config = "--name=ppml-kbs\n"
        + "library=" + library + "\n"
        + "slotListIndex=" + slotListIndex + "\n"
        + "attributes(generate,CKO_SECRET_KEY,CKK_AES) = {\n"
        + "  CKA_TOKEN=true\n  CKA_SENSITIVE=true\n  CKA_EXTRACTABLE=false\n}\n";
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new IOException("the JDK's SunPKCS11 provider is not available");
    }
    try {
      Provider p = base.configure(config);
      KeyStore ks = KeyStore.getInstance("PKCS11", p);
      ks.load(null, pin);
      Key k = ks.getKey(keyLabel, null);
      if (k == null) {
        KeyGenerator g = KeyGenerator.getInstance("AES", p);
        g.init(256, random);
        SecretKey generated = g.generateKey();
        ks.setKeyEntry(keyLabel, generated, null, null);
        k = ks.getKey(keyLabel, null);
      }
      if (!(k instanceof SecretKey sk) || !"AES".equals(k.getAlgorithm())) {
        throw new IOException("token object '" + keyLabel + "' is not an AES secret key");
      }
      if (sk.getEncoded() != null) {
        throw new IOException("token key '" + keyLabel + "' is extractable; refusing to use it as the root key");
      }
      return new Pkcs11RootKey(p, sk, random, keyLabel);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IOException("cannot open root key '" + keyLabel + "' in PKCS#11 token (library " + library
          + ", slot index " + slotListIndex + "): " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] wrap(byte[] plaintext, byte[] aad) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(plaintext);
      return ByteBuffer.allocate(NONCE_BYTES + ct.length).put(nonce).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKCS#11 token failed to wrap with root key '" + label + "'", e);
    }
  }

  @Override
  public byte[] unwrap(byte[] envelope, byte[] aad) throws AEADBadTagException {
    if (envelope.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new AEADBadTagException("envelope too short");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding", provider);
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, Arrays.copyOf(envelope, NONCE_BYTES)));
      c.updateAAD(aad);
      return c.doFinal(envelope, NONCE_BYTES, envelope.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKCS#11 token failed to unwrap with root key '" + label + "'", e);
    }
  }

  @Override
  public String describe() {
    return "PKCS#11 token key '" + label + "'";
  }

  /** The key stays in the token; nothing to wipe here. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Pkcs11RootKey[" + label + "]";
  }
}
