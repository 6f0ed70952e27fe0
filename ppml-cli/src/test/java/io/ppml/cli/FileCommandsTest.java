package io.ppml.cli;

import static io.ppml.cli.CliRun.ppml;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ppml.core.format.FileHeader;
import io.ppml.core.kms.LocalKms;
import io.ppml.core.kms.WrappedKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCommandsTest {
  private static final int SEGMENT = 4096;
  @TempDir Path tmp;
  private Path home;
  private Path plain;

  @BeforeEach
  void setUp() throws IOException {
    home = tmp.resolve("home");
    plain = tmp.resolve("rows.csv");
    StringBuilder csv = new StringBuilder("id,name,city\n");
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      csv.append(i).append(",customer-").append(random.nextInt(1_000_000)).append(",city-").append(i % 17).append('\n');
    }
    Files.writeString(plain, csv);
    assertEquals(0, ppml(home, "keys", "create", "customers").exitCode());
  }

  private Path encrypt(String name) {
    Path out = tmp.resolve(name);
    CliRun r = ppml(home, "encrypt", "--key", "customers", "--segment-size", Integer.toString(SEGMENT),
        plain.toString(), out.toString());
    assertEquals(0, r.exitCode(), r.toString());
    return out;
  }

  private static FileHeader header(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return FileHeader.read(in, file.toString());
    }
  }

  @Test
  void encryptThenDecryptRestoresTheFile() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    FileHeader h = header(enc);
    assertEquals("customers", h.keyName());
    assertEquals(1, h.keyVersion());
    assertEquals(SEGMENT, h.segmentSize());
    assertTrue(h.segmentCount(Files.size(enc)) > 3);
    Path back = tmp.resolve("back.csv");
    CliRun r = ppml(home, "decrypt", enc.toString(), back.toString());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals(-1, Files.mismatch(plain, back));
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(back)));
    assertEquals(List.of(), r.errLines());
    assertNoTemporaryFiles();
  }

  @Test
  void aDamagedInputLeavesNoOutputAndNamesFileAndSegment() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    FileHeader h = header(enc);
    byte[] bytes = Files.readAllBytes(enc);
    bytes[(int) h.segmentOffset(2) + 5] ^= 0x40;
    Path damaged = tmp.resolve("damaged.ppml");
    Files.write(damaged, bytes);
    Path out = tmp.resolve("damaged.csv");
    CliRun r = ppml(home, "decrypt", damaged.toString(), out.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size(), r.toString());
    assertTrue(r.err().contains(damaged.toString()) && r.err().contains("segment 2"), r.toString());
    assertFalse(Files.exists(out));
    assertNoTemporaryFiles();

    // Truncated at a segment boundary: the last-segment flag catches it.
    Path truncated = tmp.resolve("truncated.ppml");
    Files.write(truncated, Arrays.copyOf(Files.readAllBytes(enc), (int) h.segmentOffset(3)));
    CliRun t = ppml(home, "decrypt", truncated.toString(), out.toString());
    assertEquals(1, t.exitCode(), t.toString());
    assertEquals(1, t.errLines().size());
    assertTrue(t.err().contains(truncated.toString()) && t.err().contains("segment 2"), t.toString());
    assertFalse(Files.exists(out));
    assertNoTemporaryFiles();
  }

  @Test
  void unknownKeysAreNamed() throws Exception {
    Path out = tmp.resolve("x.ppml");
    CliRun r = ppml(home, "encrypt", "--key", "no-such-key", plain.toString(), out.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size());
    assertTrue(r.err().contains("'no-such-key'"), r.toString());
    assertFalse(Files.exists(out));

    // A file whose key lives in another key store.
    Path enc = encrypt("rows.csv.ppml");
    Path otherHome = tmp.resolve("other-home");
    CliRun d = ppml(otherHome, "decrypt", enc.toString(), tmp.resolve("y.csv").toString());
    assertEquals(1, d.exitCode(), d.toString());
    assertTrue(d.err().contains("'customers'"), d.toString());
    assertFalse(Files.exists(tmp.resolve("y.csv")));
  }

  @Test
  void rotateThenRewrapMovesFilesToTheNewestVersionWithTheBodyUnchanged() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    byte[] before = Files.readAllBytes(enc);
    int oldHeader = header(enc).length();
    CliRun rot = ppml(home, "keys", "rotate", "customers");
    assertEquals(0, rot.exitCode(), rot.toString());

    CliRun list = ppml(home, "keys", "list");
    assertEquals(0, list.exitCode());
    List<String> rows = list.out().lines().toList();
    assertEquals(List.of("NAME", "VERSION", "CREATED", "ROTATED", "ENABLED"), List.of(rows.get(0).split("\\s+")));
    String[] row = rows.get(1).split("\\s+");
    assertEquals(List.of("customers", "2"), List.of(row[0], row[1]));
    assertFalse(row[3].equals("-"), "rotation time missing");
    assertEquals("yes", row[4]);

    CliRun rw = ppml(home, "keys", "rewrap", enc.toString());
    assertEquals(0, rw.exitCode(), rw.toString());
    FileHeader h = header(enc);
    assertEquals(2, h.keyVersion());
    byte[] after = Files.readAllBytes(enc);
    assertArrayEquals(Arrays.copyOfRange(before, oldHeader, before.length),
        Arrays.copyOfRange(after, h.length(), after.length), "body changed");

    JsonNode facts = new ObjectMapper().readTree(ppml(home, "inspect", "--json", enc.toString()).out());
    assertEquals(2, facts.path("keyVersion").asInt());
    Path back = tmp.resolve("back.csv");
    assertEquals(0, ppml(home, "decrypt", enc.toString(), back.toString()).exitCode());
    assertEquals(-1, Files.mismatch(plain, back));

    // Already at the newest version: untouched.
    assertEquals(0, ppml(home, "keys", "rewrap", enc.toString()).exitCode());
    assertArrayEquals(after, Files.readAllBytes(enc));
    assertNoTemporaryFiles();
  }

  @Test
  void rewrapRefusesADamagedFileAndLeavesItAsItWas() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    byte[] bytes = Files.readAllBytes(enc);
    bytes[bytes.length - 3] ^= 1;
    Files.write(enc, bytes);
    ppml(home, "keys", "rotate", "customers");
    CliRun r = ppml(home, "keys", "rewrap", enc.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(1, r.errLines().size());
    assertTrue(r.err().contains(enc.toString()), r.toString());
    assertArrayEquals(bytes, Files.readAllBytes(enc));
    assertNoTemporaryFiles();
  }

  @Test
  void inspectShowsHeaderFactsAndNoSecrets() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    CliRun json = ppml(home, "inspect", "--json", enc.toString());
    assertEquals(0, json.exitCode(), json.toString());
    JsonNode facts = new ObjectMapper().readTree(json.out());
    assertEquals(1, facts.path("formatVersion").asInt());
    assertEquals("customers", facts.path("keyName").asText());
    assertEquals(1, facts.path("keyVersion").asInt());
    assertEquals(SEGMENT, facts.path("segmentSize").asInt());
    assertEquals(Files.size(plain), facts.path("plaintextLength").asLong());
    assertEquals((Files.size(plain) + SEGMENT - 1) / SEGMENT, facts.path("segmentCount").asLong());
    CliRun text = ppml(home, "inspect", enc.toString());
    assertEquals(0, text.exitCode());

    FileHeader h = header(enc);
    WrappedKey wrapped = h.wrappedKey();
    byte[] headerBytes = h.encoded();
    byte[] saltAndPrefix = Arrays.copyOfRange(headerBytes, headerBytes.length - 39, headerBytes.length);
    byte[] dek;
    try (LocalKms kms = LocalKms.open(home)) {
      dek = kms.unwrap(wrapped).toByteArray();
    }
    for (byte[] secret : List.of(dek, wrapped.ciphertext(), wrapped.toBytes(), saltAndPrefix)) {
      for (String form : encodings(secret)) {
        assertFalse(json.out().contains(form) || text.out().contains(form), "inspect printed key material");
      }
    }
  }

  /** Hex and base64 forms of {@code secret} and of its first 8 bytes. */
  private static List<String> encodings(byte[] secret) {
    byte[] prefix = Arrays.copyOf(secret, 8);
    return Stream.of(secret, prefix).flatMap(b -> Stream.of(HexFormat.of().formatHex(b),
        HexFormat.of().withUpperCase().formatHex(b), Base64.getEncoder().encodeToString(b))).toList();
  }

  @Test
  void anExistingOutputIsKeptUnlessForced() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    Path out = tmp.resolve("existing.csv");
    Files.writeString(out, "keep me");
    CliRun r = ppml(home, "decrypt", enc.toString(), out.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertEquals("keep me", Files.readString(out));
    assertEquals(0, ppml(home, "decrypt", "--force", enc.toString(), out.toString()).exitCode());
    assertEquals(-1, Files.mismatch(plain, out));
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(2, ppml(home).exitCode());
    assertEquals(2, ppml(home, "keys").exitCode());
    assertEquals(2, ppml(home, "keys", "create", "bad name").exitCode());
    assertEquals(2, ppml(home, "encrypt", "--key", "customers", "--segment-size", "10", plain.toString(),
        tmp.resolve("o").toString()).exitCode());
    assertEquals(2, ppml(home, "encrypt", plain.toString(), tmp.resolve("o").toString()).exitCode());
    assertFalse(Files.exists(tmp.resolve("o")));
  }

  @Test
  void aMissingOrForeignInputIsNamed() throws Exception {
    String missing = tmp.resolve("missing.ppml").toString();
    String out = tmp.resolve("o").toString();
    String notEncrypted = plain.toString();
    List<List<String>> runs = List.of(
        List.of("decrypt", missing, out),
        List.of("inspect", missing),
        List.of("keys", "rewrap", missing),
        List.of("inspect", notEncrypted),
        List.of("decrypt", notEncrypted, out));
    for (List<String> args : runs) {
      CliRun r = ppml(home, args.toArray(String[]::new));
      assertEquals(1, r.exitCode(), r.toString());
      assertEquals(1, r.errLines().size(), r.toString());
      String input = args.contains(missing) ? missing : notEncrypted;
      assertTrue(r.err().contains(input), r.toString());
    }
    assertFalse(Files.exists(Path.of(out)));
  }

  @Test
  void keysCreateRefusesAnExistingKey() {
    CliRun r = ppml(home, "keys", "create", "customers");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("'customers'"), r.toString());
  }

  @Test
  void aDisabledKeyRefusesDecryptionUntilEnabled() throws Exception {
    Path enc = encrypt("rows.csv.ppml");
    Path out = tmp.resolve("back.csv");
    CliRun off = ppml(home, "keys", "disable", "customers");
    assertEquals(0, off.exitCode(), off.toString());
    assertTrue(ppml(home, "keys", "list", "--json").out().contains("\"enabled\" : false"));
    CliRun refused = ppml(home, "decrypt", enc.toString(), out.toString());
    assertEquals(1, refused.exitCode(), refused.toString());
    assertTrue(refused.err().contains("customers"), refused.toString());
    assertFalse(Files.exists(out));
    assertEquals(1, ppml(home, "encrypt", "--key", "customers", plain.toString(), tmp.resolve("o").toString())
        .exitCode());
    assertEquals(1, ppml(home, "keys", "disable", "nope").exitCode());
    assertEquals(2, ppml(home, "keys", "enable").exitCode());
    CliRun on = ppml(home, "keys", "enable", "customers");
    assertEquals(0, on.exitCode(), on.toString());
    assertEquals(0, ppml(home, "decrypt", enc.toString(), out.toString()).exitCode());
    assertEquals(-1, Files.mismatch(plain, out));
  }

  private void assertNoTemporaryFiles() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains(".tmp-")).toList());
    }
  }
}
