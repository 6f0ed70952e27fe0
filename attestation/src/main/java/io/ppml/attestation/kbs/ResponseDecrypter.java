package io.ppml.attestation.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.impl.ECDH;
import com.nimbusds.jose.crypto.impl.ECDHCryptoProvider;
import com.nimbusds.jose.crypto.utils.ECChecks;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.PpmlException;
import java.security.Provider;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Decrypts the broker's responses to one ephemeral workload key: flattened JWE, ECDH-ES+A256KW with A256GCM
 * only. The broker uses one ephemeral key per token, so the ECDH shared secret for each {@code epk} seen is kept
 * (a few, least recently used dropped) and repeat responses need only the Concat KDF, AES key unwrap and GCM.
 * A new {@code epk} is checked to be on P-256 before any ECDH. Any other algorithm, a critical header or any
 * tampering fails with {@link IntegrityException}. Thread-safe.
 */
final class ResponseDecrypter extends ECDHCryptoProvider implements JWEDecrypter {
  private static final int MAX_EPHEMERAL_KEYS = 8;

  private final ECPrivateKey key;
  private final Provider provider;
  private final Map<String, SecretKey> sharedSecrets = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, SecretKey> eldest) {
      return size() > MAX_EPHEMERAL_KEYS;
    }
  };

  ResponseDecrypter(ECPrivateKey key, Provider provider) throws JOSEException {
    super(Curve.P_256, null);
    this.key = key;
    this.provider = provider;
    getJCAContext().setKeyEncryptionProvider(provider);
  }

  /** The payload of a flattened JWE response. */
  byte[] decrypt(JsonNode flattened) throws PpmlException {
    try {
      String compact = String.join(".", flattened.path("protected").asText(), flattened.path("encrypted_key").asText(),
          flattened.path("iv").asText(), flattened.path("ciphertext").asText(), flattened.path("tag").asText());
      JWEObject jwe = JWEObject.parse(compact);
      if (!JWEAlgorithm.ECDH_ES_A256KW.equals(jwe.getHeader().getAlgorithm())
          || !EncryptionMethod.A256GCM.equals(jwe.getHeader().getEncryptionMethod())) {
        throw new IntegrityException("KBS response", -1, "unexpected JWE algorithms");
      }
      jwe.decrypt(this);
      return jwe.getPayload().toBytes();
    } catch (ParseException | JOSEException | IllegalStateException e) {
      throw new IntegrityException("KBS response", -1, "JWE did not decrypt with this workload's key");
    }
  }

  @Override
  public Set<Curve> supportedEllipticCurves() {
    return Set.of(Curve.P_256);
  }

  @Override
  public byte[] decrypt(JWEHeader header, Base64URL encryptedKey, Base64URL iv, Base64URL cipherText,
      Base64URL authTag, byte[] aad) throws JOSEException {
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      throw new JOSEException("critical header parameters are not accepted");
    }
    if (!(header.getEphemeralPublicKey() instanceof ECKey epk) || !Curve.P_256.equals(epk.getCurve())) {
      throw new JOSEException("epk must be a P-256 public key");
    }
    return decryptWithZ(header, aad, sharedSecret(epk), encryptedKey, iv, cipherText, authTag);
  }

  private SecretKey sharedSecret(ECKey epk) throws JOSEException {
    String id = epk.computeThumbprint().toString();
    synchronized (sharedSecrets) {
      SecretKey known = sharedSecrets.get(id);
      if (known != null) {
        return known;
      }
    }
    ECPublicKey point = epk.toECPublicKey();
    if (!ECChecks.isPointOnCurve(point, key)) {
      throw new JOSEException("epk is not on the curve of this workload's key");
    }
    SecretKey z = ECDH.deriveSharedSecret(point, key, provider);
    synchronized (sharedSecrets) {
      sharedSecrets.put(id, z);
    }
    return z;
  }
}
