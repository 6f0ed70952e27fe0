package io.ppml.kbs.server;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.impl.AAD;
import com.nimbusds.jose.crypto.impl.AESGCM;
import com.nimbusds.jose.crypto.impl.AESKW;
import com.nimbusds.jose.crypto.impl.AuthenticatedCipherText;
import com.nimbusds.jose.crypto.impl.ConcatKDF;
import com.nimbusds.jose.crypto.impl.ContentCryptoProvider;
import com.nimbusds.jose.crypto.impl.ECDH;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.Container;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.SecretKey;

/**
 * Encrypts responses to a workload's {@code tee-pubkey} as a standard JWE (ECDH-ES+A256KW, A256GCM) with ONE
 * ephemeral key pair per workload key, that is per attestation token, instead of one per response: the P-256
 * key generation and ECDH, which dominated the cost of a key release, happen once per token.
 *
 * <p>With the ephemeral key fixed, the protected header (alg, enc, epk) is fixed too, and so is the
 * key-encryption key that RFC 7518 section 4.6 derives from the shared secret and that header (Concat KDF). Both
 * are computed once and kept in memory (at most {@value #MAX_RECIPIENTS} recipients, least recently used
 * dropped first, none longer than the token lifetime); the shared secret and the ephemeral private key are
 * dropped at once. Every response still gets a fresh random CEK, AES key wrap of it under the KEK, a fresh
 * GCM IV and the encoded protected header as associated data: an ordinary JWE any library decrypts.
 */
final class ResponseEncryption {
  static final int MAX_RECIPIENTS = 10_000;
  private static final JWEAlgorithm ALGORITHM = JWEAlgorithm.ECDH_ES_A256KW;
  private static final EncryptionMethod ENCRYPTION = EncryptionMethod.A256GCM;

  private final Provider ecProvider;
  private final Duration lifetime;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<ECKey, Recipient> recipients = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ECKey, Recipient> eldest) {
      return size() > MAX_RECIPIENTS;
    }
  };

  /** {@code ecProvider} does the P-256 key generation and ECDH; AES runs on the JDK's intrinsics. */
  ResponseEncryption(Provider ecProvider, Duration lifetime, Clock clock) {
    this.ecProvider = ecProvider;
    this.lifetime = lifetime;
    this.clock = clock;
  }

  /** The compact serialization's five parts: protected header, encrypted key, IV, ciphertext, tag. */
  String[] encrypt(ECKey teePublicKey, byte[] plaintext) throws JOSEException, GeneralSecurityException {
    Recipient r = recipient(teePublicKey);
    SecretKey cek = ContentCryptoProvider.generateCEK(ENCRYPTION, random);
    byte[] encryptedKey = AESKW.wrapCEK(cek, r.keyEncryptionKey, null);
    Container<byte[]> iv = new Container<>(AESGCM.generateIV(random));
    AuthenticatedCipherText sealed = AESGCM.encrypt(cek, iv, plaintext, r.aad, null);
    return new String[] {r.protectedHeader, Base64URL.encode(encryptedKey).toString(),
        Base64URL.encode(iv.get()).toString(), Base64URL.encode(sealed.getCipherText()).toString(),
        Base64URL.encode(sealed.getAuthenticationTag()).toString()};
  }

  private Recipient recipient(ECKey tee) throws JOSEException, GeneralSecurityException {
    Instant now = clock.instant();
    synchronized (recipients) {
      Recipient r = recipients.get(tee);
      if (r != null && now.isBefore(r.expires)) {
        return r;
      }
    }
    Recipient fresh = new Recipient(tee, ecProvider, now.plus(lifetime)); // the ECDH, outside the lock
    synchronized (recipients) {
      recipients.put(tee, fresh);
    }
    return fresh;
  }

  /** What every response to one workload key shares: header, its encoding as associated data, and the KEK. */
  private static final class Recipient {
    final String protectedHeader;
    final byte[] aad;
    final SecretKey keyEncryptionKey;
    final Instant expires;

    Recipient(ECKey tee, Provider provider, Instant expires) throws JOSEException, GeneralSecurityException {
      if (!Curve.P_256.equals(tee.getCurve())) {
        throw new JOSEException("tee-pubkey must be P-256");
      }
      // As BouncyCastle keys, generation and ECDH use BouncyCastle's faster P-256 arithmetic.
      ECPublicKey recipient = (ECPublicKey) KeyFactory.getInstance("EC", provider)
          .generatePublic(new X509EncodedKeySpec(tee.toECPublicKey().getEncoded()));
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair ephemeral = generator.generateKeyPair();
      JWEHeader header = new JWEHeader.Builder(ALGORITHM, ENCRYPTION)
          .ephemeralPublicKey(new ECKey.Builder(Curve.P_256, (ECPublicKey) ephemeral.getPublic()).build())
          .build();
      SecretKey sharedSecret = ECDH.deriveSharedSecret(recipient, ephemeral.getPrivate(), provider);
      this.keyEncryptionKey = ECDH.deriveSharedKey(header, sharedSecret, new ConcatKDF("SHA-256"));
      Base64URL encoded = header.toBase64URL();
      this.protectedHeader = encoded.toString();
      this.aad = AAD.compute(encoded);
      this.expires = expires;
    }
  }
}
