package io.ppml.attestation.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code runtime-data} of an attest request and its binding into the quote.
 *
 * <p>JSON: {@code {"nonce": <the session's nonce>, "tee-pubkey": <EC P-256 public JWK: kty, crv, x, y>,
 * "csr-pubkey-sha256": <optional lowercase hex SHA-256 of the DER SubjectPublicKeyInfo of the key whose CSR
 * the workload will present>}}. REPORTDATA = SHA-384(RFC 8785 canonical JSON of the whole runtime-data object
 * as sent) || 16 zero bytes, so every member sent is bound, including ones the broker does not interpret.
 */
public record RuntimeData(String nonce, ECKey teePublicKey, String csrPublicKeySha256, JsonNode json) {
  public static final String NONCE = "nonce";
  public static final String TEE_PUBKEY = "tee-pubkey";
  public static final String CSR_PUBKEY_SHA256 = "csr-pubkey-sha256";
  public static final int REPORT_DATA_BYTES = 64;
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Builds the runtime data a workload sends: {@code teePublicKey} must be public only. */
  public static RuntimeData create(String nonce, ECKey teePublicKey, String csrPublicKeySha256) {
    ObjectNode json = JSON.createObjectNode();
    json.put(NONCE, nonce);
    ObjectNode jwk = json.putObject(TEE_PUBKEY);
    for (Map.Entry<String, Object> e : teePublicKey.toPublicJWK().toJSONObject().entrySet()) {
      if (e.getKey().equals("kty") || e.getKey().equals("crv") || e.getKey().equals("x")
          || e.getKey().equals("y")) {
        jwk.put(e.getKey(), String.valueOf(e.getValue()));
      }
    }
    if (csrPublicKeySha256 != null) {
      json.put(CSR_PUBKEY_SHA256, csrPublicKeySha256);
    }
    return parse(json);
  }

  /**
   * Reads runtime data received from a workload.
   *
   * @throws IllegalArgumentException naming the member that is missing or malformed
   */
  public static RuntimeData parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new IllegalArgumentException("runtime-data must be a JSON object");
    }
    JsonNode nonce = json.get(NONCE);
    if (nonce == null || !nonce.isTextual() || nonce.textValue().isEmpty()) {
      throw new IllegalArgumentException("runtime-data.nonce must be a non-empty string");
    }
    JsonNode jwk = json.get(TEE_PUBKEY);
    if (jwk == null || !jwk.isObject()) {
      throw new IllegalArgumentException("runtime-data.tee-pubkey must be a JWK object");
    }
    ECKey key;
    try {
      key = ECKey.parse(JSON.writeValueAsString(jwk));
    } catch (ParseException | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("runtime-data.tee-pubkey is not an EC JWK");
    }
    if (!Curve.P_256.equals(key.getCurve()) || key.isPrivate()) {
      throw new IllegalArgumentException("runtime-data.tee-pubkey must be a public EC P-256 key");
    }
    String csr = null;
    JsonNode csrNode = json.get(CSR_PUBKEY_SHA256);
    if (csrNode != null) {
      if (!csrNode.isTextual() || !SHA256_HEX.matcher(csrNode.textValue()).matches()) {
        throw new IllegalArgumentException("runtime-data.csr-pubkey-sha256 must be 64 lowercase hex digits");
      }
      csr = csrNode.textValue();
    }
    // Canonicalizing here rejects numbers the binding cannot represent before anything is hashed.
    Jcs.canonicalize(json);
    return new RuntimeData(nonce.textValue(), key, csr, json.deepCopy());
  }

  /** The 64 bytes the quote's REPORTDATA must hold: SHA-384(JCS(runtime-data)) || 16 zero bytes. */
  public byte[] reportData() {
    return reportDataOf(json);
  }

  /** SHA-384(JCS({@code json})) || 16 zero bytes. */
  public static byte[] reportDataOf(JsonNode json) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-384").digest(Jcs.canonicalBytes(json));
      return Arrays.copyOf(digest, REPORT_DATA_BYTES);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-384 is unavailable in this JVM", e);
    }
  }

  /** Lowercase hex SHA-256 of a DER SubjectPublicKeyInfo, the form {@code csr-pubkey-sha256} carries. */
  public static String publicKeySha256(byte[] subjectPublicKeyInfo) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "RuntimeData[tee-pubkey " + teePublicKey.getCurve() + "]";
  }
}
