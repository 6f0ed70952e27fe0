package io.ppml.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryScanTest {
  private static final String MARKER = "PPMLCANARY";

  @TempDir Path dir;

  @Test
  void findsTheMarkerInEveryEncodingAndAtEveryBase64Offset() throws IOException {
    Random random = new Random(1);
    byte[] noise = new byte[5000];
    random.nextBytes(noise);
    Files.write(dir.resolve("clean.bin"), noise);
    Files.writeString(dir.resolve("utf8.txt"), "name,x\nAda " + MARKER + "7,1\n");
    Files.write(dir.resolve("utf16.bin"), ("a" + MARKER).getBytes(StandardCharsets.UTF_16LE));
    for (int shift = 0; shift < 3; shift++) {
      String b64 = Base64.getEncoder().encodeToString(("xyz".substring(0, shift) + MARKER + "42").getBytes(
          StandardCharsets.UTF_8));
      Files.writeString(dir.resolve("b64-" + shift + ".txt"), "{\"v\":\"" + b64 + "\"}");
    }
    CanaryScan.Report report = new CanaryScan(MARKER).scan(dir);
    assertEquals(6, report.files());
    assertEquals(List.of("b64-0.txt", "b64-1.txt", "b64-2.txt", "utf16.bin", "utf8.txt"),
        report.hits().stream().map(h -> h.file().getFileName().toString()).toList());
  }
}
