package io.ppml.attestation.pcs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ppml.attestation.AttestationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A signed Intel PCS response body such as {@code {"tcbInfo":{...},"signature":"<hex r||s>"}}. The signature
 * covers the exact bytes of the inner object as they appear in the body, so those bytes are cut out of the
 * body by their position (never re-serialized, which could change whitespace, key order or number forms).
 *
 * @param body the response body as received (UTF-8)
 * @param value the parsed inner object
 * @param signedBytes the exact bytes of the inner object
 * @param signature ECDSA P-256 signature r||s (64 bytes)
 * @param <T> {@link TcbInfo} or {@link EnclaveIdentity}
 */
public record PcsResponse<T>(String body, T value, byte[] signedBytes, byte[] signature) {

  /** Largest response body accepted; real ones are a few KiB. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  // Duplicate keys are rejected: the signed bytes and the parsed model must not be able to disagree.
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final ObjectMapper MAPPER = new ObjectMapper(JSON);

  public PcsResponse {
    signedBytes = signedBytes.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] signedBytes() {
    return signedBytes.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Reads the inner object in the PCS model; failures are {@code COLLATERAL_MALFORMED}. */
  interface InnerParser<T> {
    T parse(JsonFields inner) throws AttestationException;
  }

  static <T> PcsResponse<T> parse(byte[] body, String innerName, InnerParser<T> parser)
      throws AttestationException {
    String where = innerName + " response";
    if (body.length > MAX_BODY_BYTES) {
      throw JsonFields.malformed(where, "is larger than " + MAX_BODY_BYTES + " bytes");
    }
    int start = -1;
    int end = -1;
    String signatureHex = null;
    try (JsonParser p = JSON.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw JsonFields.malformed(where, "is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals(innerName) && t == JsonToken.START_OBJECT && start < 0) {
          start = (int) p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          end = (int) p.currentLocation().getByteOffset();
        } else if (name.equals("signature") && t == JsonToken.VALUE_STRING && signatureHex == null) {
          signatureHex = p.getText();
        } else {
          p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw JsonFields.malformed(where, "has trailing content");
      }
    } catch (IOException e) {
      throw new AttestationException(AttestationException.Reason.COLLATERAL_MALFORMED,
          where + " is not valid JSON", e);
    }
    if (start < 0 || end <= start || end > body.length || body[start] != '{' || body[end - 1] != '}') {
      throw JsonFields.malformed(where, "lacks the object '" + innerName + "'");
    }
    if (signatureHex == null || signatureHex.length() != 128) {
      throw JsonFields.malformed(where, "lacks a 64-byte hex 'signature'");
    }
    byte[] sig;
    try {
      sig = HexFormat.of().parseHex(signatureHex);
    } catch (IllegalArgumentException e) {
      throw JsonFields.malformed(where, "'signature' is not hex");
    }
    byte[] signed = Arrays.copyOfRange(body, start, end);
    JsonNode inner;
    try {
      inner = MAPPER.readTree(signed);
    } catch (IOException e) {
      throw new AttestationException(AttestationException.Reason.COLLATERAL_MALFORMED,
          where + " object '" + innerName + "' is not valid JSON", e);
    }
    T value = parser.parse(new JsonFields(inner, innerName));
    return new PcsResponse<>(new String(body, StandardCharsets.UTF_8), value, signed, sig);
  }
}
