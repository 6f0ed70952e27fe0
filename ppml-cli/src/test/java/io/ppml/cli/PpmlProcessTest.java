package io.ppml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ppml} as a real process: exit codes, stderr lines and the PPML_HOME environment variable. */
class PpmlProcessTest {
  @TempDir Path tmp;

  private record Result(int exitCode, String out, String err) {}

  private Result run(Path home, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        PpmlCommand.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("PPML_HOME", home.toString());
    pb.redirectOutput(tmp.resolve("out.txt").toFile()).redirectError(tmp.resolve("err.txt").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "ppml did not finish");
    return new Result(p.exitValue(), Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(tmp.resolve("err.txt"), StandardCharsets.UTF_8));
  }

  @Test
  void exitCodesAndErrorLinesOfARealProcess() throws Exception {
    Path home = tmp.resolve("home-from-env");
    Path plain = tmp.resolve("plain.txt");
    Files.writeString(plain, "secret row\n".repeat(500));
    Path enc = tmp.resolve("plain.ppml");
    Path out = tmp.resolve("out.csv");

    assertEquals(0, run(home, "keys", "create", "k").exitCode());
    assertTrue(Files.exists(home.resolve("root.key")), "PPML_HOME was not used");
    Result e = run(home, "encrypt", "--key", "k", "--segment-size", "1024", plain.toString(), enc.toString());
    assertEquals(0, e.exitCode(), e.err());

    byte[] bytes = Files.readAllBytes(enc);
    bytes[bytes.length - 1] ^= 1; // the tag of the last segment
    Files.write(enc, bytes);
    Result d = run(home, "decrypt", enc.toString(), out.toString());
    assertEquals(1, d.exitCode());
    assertEquals(1, d.err().lines().count(), d.err());
    assertTrue(d.err().contains(enc.toString()) && d.err().contains("segment 5"), d.err());
    assertFalse(Files.exists(out));

    Result unknown = run(home, "encrypt", "--key", "missing", plain.toString(), out.toString());
    assertEquals(1, unknown.exitCode());
    assertEquals(1, unknown.err().lines().count(), unknown.err());
    assertTrue(unknown.err().contains("'missing'"), unknown.err());

    assertEquals(2, run(home, "encrypt", "--key", "k").exitCode());
  }
}
