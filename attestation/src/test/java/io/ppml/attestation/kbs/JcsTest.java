package io.ppml.attestation.kbs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class JcsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void trusteeVectorHashesAsDocumented() throws Exception {
    String canonical = Jcs.canonicalize(JSON.readTree("{ \"c\": {\"d\": \"e\"}, \"b\": 1, \"a\": \"test\" }"));
    assertEquals("{\"a\":\"test\",\"b\":1,\"c\":{\"d\":\"e\"}}", canonical);
    String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-384").digest(canonical.getBytes("UTF-8")));
    assertTrue(hex.startsWith("e71ce8e7"), hex);
    assertTrue(hex.endsWith("8870c3"), hex);
  }

  @Test
  void sortsByUtf16CodeUnitsAndEscapesLikeRfc8785() throws Exception {
    // RFC 8785 3.2.3: "\r" (U+000D) < "1" < "\u0080" < "\u00f6" < "\u20ac" < surrogate pair.
    String in = "{\"\\u20ac\":1,\"\\r\":2,\"\\ud83d\\ude00\":3,\"1\":4,\"\\u0080\":5,\"\\u00f6\":6}";
    String out = Jcs.canonicalize(JSON.readTree(in));
    assertEquals("{\"\\r\":2,\"1\":4,\"\u0080\":5,\"\u00f6\":6,\"\u20ac\":1,\"\ud83d\ude00\":3}", out);
    assertEquals("[\"\\u001f\\t\\\"\\\\/\",true,null,-7]",
        Jcs.canonicalize(JSON.readTree("[\"\\u001f\\t\\\"\\\\\\/\", true, null, -7]")));
  }

  /** The worked example of docs/protocol.md. */
  @Test
  void documentedReportDataExample() throws Exception {
    String sent = "{\"tee-pubkey\":{\"kty\":\"EC\",\"crv\":\"P-256\","
        + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"},"
        + "\"nonce\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\"}";
    RuntimeData rd = RuntimeData.parse(JSON.readTree(sent));
    assertEquals("{\"nonce\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\",\"tee-pubkey\":{\"crv\":\"P-256\","
        + "\"kty\":\"EC\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}}", Jcs.canonicalize(rd.json()));
    assertEquals("5d25c64240ae6aaa3f6fa79823e9985acbac4ba74af6d7b249939ba5622fed86"
        + "0b407d04f5e9df5f849cc6766a521be5" + "00".repeat(16), HexFormat.of().formatHex(rd.reportData()));
  }

  @Test
  void rejectsNumbersItCannotCanonicalizeExactly() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> Jcs.canonicalize(JSON.readTree("{\"a\":1.5}")));
    assertThrows(IllegalArgumentException.class, () -> Jcs.canonicalize(JSON.readTree("[9007199254740993]")));
  }

  @Test
  void reportDataIsSha384OfCanonicalRuntimeDataPaddedWithZeros() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    ECKey jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) g.generateKeyPair().getPublic()).build();
    RuntimeData rd = RuntimeData.create("bm9uY2U=", jwk, null);
    byte[] expected = MessageDigest.getInstance("SHA-384").digest(Jcs.canonicalBytes(rd.json()));
    byte[] reportData = rd.reportData();
    assertEquals(64, reportData.length);
    assertArrayEquals(expected, Arrays.copyOf(reportData, 48));
    assertArrayEquals(new byte[16], Arrays.copyOfRange(reportData, 48, 64));
    // Parsing what the workload sent gives the same binding; a private JWK is refused.
    assertArrayEquals(reportData, RuntimeData.parse(JSON.readTree(rd.json().toString())).reportData());
    assertThrows(IllegalArgumentException.class,
        () -> RuntimeData.parse(JSON.readTree("{\"nonce\":\"n\",\"tee-pubkey\":{\"kty\":\"oct\",\"k\":\"AA\"}}")));
  }
}
