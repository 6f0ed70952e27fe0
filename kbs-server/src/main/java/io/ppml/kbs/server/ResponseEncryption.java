package io.ppml.kbs.server;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWECryptoParts;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.impl.AAD;
import com.nimbusds.jose.crypto.impl.ECDH;
import com.nimbusds.jose.crypto.impl.ECDHCryptoProvider;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Encrypts responses to a workload's {@code tee-pubkey} as a standard JWE (ECDH-ES+A256KW, A256GCM) with ONE
 * ephemeral key pair per workload key, that is per attestation token, instead of one per response: the P-256
 * key generation and ECDH, which dominated the cost of a key release, happen once per token. The ECDH shared
 * secret is kept in memory (at most {@value #MAX_RECIPIENTS} recipients, least recently used dropped first,
 * none longer than the token lifetime); the ephemeral private key is dropped at once. Every response still
 * derives its key-encryption key by Concat KDF (RFC 7518 section 4.6) and gets a fresh random CEK, AES key wrap
 * and a fresh GCM IV; its {@code epk} header is the per-token ephemeral key, so any JWE library decrypts it.
 */
final class ResponseEncryption {
  static final int MAX_RECIPIENTS = 10_000;

  private final Provider provider;
  private final Duration lifetime;
  private final Clock clock;
  private final Map<String, Recipient> recipients = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recipient> eldest) {
      return size() > MAX_RECIPIENTS;
    }
  };

  ResponseEncryption(Provider provider, Duration lifetime, Clock clock) {
    this.provider = provider;
    this.lifetime = lifetime;
    this.clock = clock;
  }

  /** The compact serialization's five parts: protected header, encrypted key, IV, ciphertext, tag. */
  String[] encrypt(ECKey teePublicKey, byte[] plaintext) throws JOSEException, GeneralSecurityException {
    JWEObject jwe = new JWEObject(new JWEHeader(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM),
        new Payload(plaintext));
    jwe.encrypt(recipient(teePublicKey));
    return jwe.serialize().split("\\.", -1);
  }

  private Recipient recipient(ECKey tee) throws JOSEException, GeneralSecurityException {
    String id = tee.computeThumbprint().toString();
    Instant now = clock.instant();
    synchronized (recipients) {
      Recipient r = recipients.get(id);
      if (r != null && now.isBefore(r.expires)) {
        return r;
      }
    }
    Recipient fresh = new Recipient(tee, provider, now.plus(lifetime)); // the ECDH, outside the lock
    synchronized (recipients) {
      recipients.put(id, fresh);
    }
    return fresh;
  }

  /** ECDH-ES+A256KW to one workload key with a fixed ephemeral key and its precomputed shared secret. */
  private static final class Recipient extends ECDHCryptoProvider implements JWEEncrypter {
    private final ECKey ephemeralPublicKey;
    private final SecretKey sharedSecret;
    final Instant expires;

    Recipient(ECKey tee, Provider provider, Instant expires) throws JOSEException, GeneralSecurityException {
      super(Curve.P_256, null);
      if (!Curve.P_256.equals(tee.getCurve())) {
        throw new JOSEException("tee-pubkey must be P-256");
      }
      // As BouncyCastle keys, generation and ECDH use BouncyCastle's faster P-256 arithmetic.
      ECPublicKey recipient = (ECPublicKey) KeyFactory.getInstance("EC", provider)
          .generatePublic(new X509EncodedKeySpec(tee.toECPublicKey().getEncoded()));
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", provider);
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair ephemeral = generator.generateKeyPair();
      this.ephemeralPublicKey = new ECKey.Builder(Curve.P_256, (ECPublicKey) ephemeral.getPublic()).build();
      this.sharedSecret = ECDH.deriveSharedSecret(recipient, ephemeral.getPrivate(), provider);
      this.expires = expires;
      getJCAContext().setKeyEncryptionProvider(provider);
    }

    @Override
    public Set<Curve> supportedEllipticCurves() {
      return Set.of(Curve.P_256);
    }

    @Override
    public JWECryptoParts encrypt(JWEHeader header, byte[] clearText, byte[] aad) throws JOSEException {
      JWEHeader withEpk = new JWEHeader.Builder(header).ephemeralPublicKey(ephemeralPublicKey).build();
      // The header gained epk: the default AAD (the encoded protected header) must cover the final header.
      byte[] finalAad = Arrays.equals(AAD.compute(header), aad) ? AAD.compute(withEpk) : aad;
      return encryptWithZ(withEpk, sharedSecret, clearText, finalAad);
    }
  }
}
