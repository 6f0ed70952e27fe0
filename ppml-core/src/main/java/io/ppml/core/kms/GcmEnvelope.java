package io.ppml.core.kms;

import io.ppml.core.secret.SecretBytes;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM key wrapping with a random 12-byte nonce: {@code nonce || ciphertext || 16-byte tag}. The
 * associated data binds each wrapped key to what it is (label, key name, version), so a wrapped key cannot
 * be passed off as another one. Random nonces are safe here because one wrapping key encrypts far fewer than
 * 2^32 messages.
 */
final class GcmEnvelope {
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private GcmEnvelope() {}

  static byte[] seal(SecretBytes key, byte[] plaintext, byte[] aad, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key.toAesKey(), new GCMParameterSpec(TAG_BYTES * 8, nonce));
      cipher.updateAAD(aad);
      ByteBuffer out = ByteBuffer.allocate(NONCE_BYTES + plaintext.length + TAG_BYTES);
      out.put(nonce);
      cipher.doFinal(ByteBuffer.wrap(plaintext), out);
      return out.array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
    }
  }

  /** The plaintext; throws {@link AEADBadTagException} when the envelope, key or associated data do not match. */
  static byte[] open(SecretBytes key, byte[] envelope, byte[] aad) throws AEADBadTagException {
    if (envelope.length < NONCE_BYTES + TAG_BYTES) {
      throw new AEADBadTagException("envelope too short");
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.DECRYPT_MODE, key.toAesKey(),
          new GCMParameterSpec(TAG_BYTES * 8, envelope, 0, NONCE_BYTES));
      cipher.updateAAD(aad);
      return cipher.doFinal(envelope, NONCE_BYTES, envelope.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
    }
  }
}
