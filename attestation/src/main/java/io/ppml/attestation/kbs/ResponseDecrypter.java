package io.ppml.attestation.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.impl.AAD;
import com.nimbusds.jose.crypto.impl.AESGCM;
import com.nimbusds.jose.crypto.impl.AESKW;
import com.nimbusds.jose.crypto.impl.ConcatKDF;
import com.nimbusds.jose.crypto.impl.ECDH;
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
import javax.crypto.SecretKey;

/**
 * Decrypts the broker's responses to one ephemeral workload key: flattened JWE, ECDH-ES+A256KW with A256GCM
 * only (RFC 7516, RFC 7518 sections 4.6 and 5.3).
 *
 * <p>The broker uses one ephemeral key per token, so all its responses under a token carry the same protected
 * header (alg, enc, epk). The header is checked and the key-encryption key derived from it (ECDH with this
 * workload's key, then the Concat KDF over the header's parameters) once per distinct header; a few are kept,
 * least recently used dropped. Each response then needs only the AES key unwrap of its CEK and the GCM
 * decryption with the encoded protected header as associated data. A header with another algorithm, a critical
 * or compression parameter, or an {@code epk} that is not a P-256 point fails before any ECDH; any tampering
 * fails the unwrap or the GCM tag. Every failure is an {@link IntegrityException}. Thread-safe.
 */
final class ResponseDecrypter {
  private static final int MAX_HEADERS = 8;
  private static final int CEK_BYTES = 32;

  private final ECPrivateKey key;
  private final Provider ecProvider;
  private final Map<String, SecretKey> keyEncryptionKeys = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, SecretKey> eldest) {
      return size() > MAX_HEADERS;
    }
  };

  /** {@code ecProvider} does the ECDH; AES runs on the JDK's intrinsics. */
  ResponseDecrypter(ECPrivateKey key, Provider ecProvider) {
    this.key = key;
    this.ecProvider = ecProvider;
  }

  /** The payload of a flattened JWE response. */
  byte[] decrypt(JsonNode flattened) throws PpmlException {
    try {
      Base64URL protectedHeader = member(flattened, "protected");
      SecretKey cek = AESKW.unwrapCEK(keyEncryptionKey(protectedHeader),
          member(flattened, "encrypted_key").decode(), null);
      if (cek.getEncoded().length != CEK_BYTES) {
        throw new JOSEException("CEK is not an A256GCM key");
      }
      return AESGCM.decrypt(cek, member(flattened, "iv").decode(), member(flattened, "ciphertext").decode(),
          AAD.compute(protectedHeader), member(flattened, "tag").decode(), null);
    } catch (ParseException | JOSEException | IllegalStateException | IllegalArgumentException e) {
      throw new IntegrityException("KBS response", -1, "JWE did not decrypt with this workload's key");
    }
  }

  private static Base64URL member(JsonNode flattened, String name) throws ParseException {
    JsonNode v = flattened.get(name);
    if (v == null || !v.isTextual()) {
      throw new ParseException("JWE member " + name + " missing", 0);
    }
    return new Base64URL(v.textValue());
  }

  private SecretKey keyEncryptionKey(Base64URL protectedHeader) throws ParseException, JOSEException {
    String id = protectedHeader.toString();
    synchronized (keyEncryptionKeys) {
      SecretKey known = keyEncryptionKeys.get(id);
      if (known != null) {
        return known;
      }
    }
    JWEHeader header = JWEHeader.parse(protectedHeader);
    if (!JWEAlgorithm.ECDH_ES_A256KW.equals(header.getAlgorithm())
        || !EncryptionMethod.A256GCM.equals(header.getEncryptionMethod())) {
      throw new JOSEException("unexpected JWE algorithms");
    }
    if ((header.getCriticalParams() != null && !header.getCriticalParams().isEmpty())
        || header.getCompressionAlgorithm() != null) {
      throw new JOSEException("critical and compression header parameters are not accepted");
    }
    if (!(header.getEphemeralPublicKey() instanceof ECKey epk) || !Curve.P_256.equals(epk.getCurve())) {
      throw new JOSEException("epk must be a P-256 public key");
    }
    ECPublicKey point = epk.toECPublicKey();
    if (!ECChecks.isPointOnCurve(point, key)) {
      throw new JOSEException("epk is not on the curve of this workload's key");
    }
    SecretKey kek = ECDH.deriveSharedKey(header, ECDH.deriveSharedSecret(point, key, ecProvider),
        new ConcatKDF("SHA-256"));
    synchronized (keyEncryptionKeys) {
      keyEncryptionKeys.put(id, kek);
    }
    return kek;
  }
}
