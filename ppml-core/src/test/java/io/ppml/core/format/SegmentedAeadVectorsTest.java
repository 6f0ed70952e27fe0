package io.ppml.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Known-answer vectors in {@code format-vectors/segmented-aead-v1.json} (also printed in docs/format.md): the
 * implementation must produce exactly those bytes and read them back, and a second, deliberately plain
 * computation from the written specification (BouncyCastle's HKDF, the JDK's AES-GCM one segment at a time,
 * the header assembled field by field) must agree, so the vectors are not merely self-consistent.
 */
class SegmentedAeadVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static JsonNode vectors;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in =
        SegmentedAeadVectorsTest.class.getResourceAsStream("/format-vectors/segmented-aead-v1.json")) {
      vectors = new ObjectMapper().readTree(in);
    }
  }

  static Stream<String> names() {
    return Stream.of("empty", "hello", "pattern-2500");
  }

  @ParameterizedTest
  @MethodSource("names")
  void encryptionGivesExactlyTheVector(String name) throws IOException {
    JsonNode vector = vector(name);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SegmentedAeadWriter w = new SegmentedAeadWriter(out, header(), dataKey(), name, null)) {
      w.write(bytes(vector, "plaintext"));
    }
    assertEquals(vector.get("file").asText(), HEX.formatHex(out.toByteArray()));
  }

  @ParameterizedTest
  @MethodSource("names")
  void decryptionGivesThePlaintext(String name) throws IOException {
    JsonNode vector = vector(name);
    byte[] file = bytes(vector, "file");
    FileHeader header = FileHeader.read(new ByteArrayInputStream(file), name);
    assertEquals(header(), header);
    SegmentCipher cipher = SegmentCipher.create(header, dataKey(), name);
    int offset = header.length();
    try (SegmentedAeadReader r = SegmentedAeadReader.fromSegment(
        new ByteArrayInputStream(file, offset, file.length - offset), header, cipher, 0, name)) {
      assertArrayEquals(bytes(vector, "plaintext"), r.readAllBytes());
    }
  }

  @ParameterizedTest
  @MethodSource("names")
  void anIndependentComputationFromTheSpecAgrees(String name) throws GeneralSecurityException {
    JsonNode vector = vector(name);
    assertArrayEquals(bytes(vector, "file"), independentlyEncrypted(bytes(vector, "plaintext")));
  }

  @Test
  void vectorsInTheDocsMatchTheResource() throws IOException {
    Path doc = Path.of(System.getProperty("user.dir")).resolveSibling("docs").resolve("format.md");
    String text = Files.readString(doc).replaceAll("[\\s`]", "");
    for (String name : names().toList()) {
      assertTrue(text.contains(vector(name).get("file").asText()), "docs/format.md lacks vector " + name);
    }
    assertTrue(text.contains(vectors.get("segmentKey").asText()), "docs/format.md lacks the segment key");
  }

  /** The specification, followed literally. */
  private static byte[] independentlyEncrypted(byte[] plaintext) throws GeneralSecurityException {
    byte[] name = vectors.get("keyName").asText().getBytes(StandardCharsets.UTF_8);
    byte[] wrapped = bytes(vectors, "wrappedKey");
    byte[] salt = bytes(vectors, "salt");
    byte[] noncePrefix = bytes(vectors, "noncePrefix");
    int segmentSize = vectors.get("segmentSize").asInt();
    int headerLength = 4 + 1 + 1 + 2 + 4 + 1 + name.length + 4 + 2 + wrapped.length + 32 + 7;
    ByteBuffer file = ByteBuffer.allocate(headerLength + plaintext.length + 16 * (plaintext.length / segmentSize + 1));
    file.put("PPML".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1)
        .putShort((short) headerLength).putInt(segmentSize)
        .put((byte) name.length).put(name).putInt(vectors.get("keyVersion").asInt())
        .putShort((short) wrapped.length).put(wrapped).put(salt).put(noncePrefix);

    byte[] info = ByteBuffer.allocate(19 + 1 + 1 + 4 + 7)
        .put("ppml-segment-key-v1".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1)
        .putInt(segmentSize).put(noncePrefix).array();
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(bytes(vectors, "dataKey"), salt, info));
    byte[] segmentKey = new byte[32];
    hkdf.generateBytes(segmentKey, 0, 32);
    assertEquals(vectors.get("segmentKey").asText(), HEX.formatHex(segmentKey));

    int segments = Math.max(1, (plaintext.length + segmentSize - 1) / segmentSize);
    for (int i = 0; i < segments; i++) {
      boolean last = i == segments - 1;
      byte[] nonce = ByteBuffer.allocate(12).put(noncePrefix).putInt(i).put((byte) (last ? 1 : 0)).array();
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(segmentKey, "AES"), new GCMParameterSpec(128, nonce));
      int from = i * segmentSize;
      file.put(gcm.doFinal(Arrays.copyOfRange(plaintext, from, Math.min(plaintext.length, from + segmentSize))));
    }
    return Arrays.copyOf(file.array(), file.position());
  }

  private static FileHeader header() {
    return FileHeader.create(
        new WrappedKey(vectors.get("keyName").asText(), vectors.get("keyVersion").asInt(),
            bytes(vectors, "wrappedKey")),
        vectors.get("segmentSize").asInt(), bytes(vectors, "salt"), bytes(vectors, "noncePrefix"));
  }

  private static SecretBytes dataKey() {
    return SecretBytes.wrap(bytes(vectors, "dataKey"));
  }

  private static JsonNode vector(String name) {
    for (JsonNode v : vectors.get("vectors")) {
      if (v.get("name").asText().equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("no vector " + name);
  }

  private static byte[] bytes(JsonNode node, String field) {
    return HEX.parseHex(node.get(field).asText());
  }
}
