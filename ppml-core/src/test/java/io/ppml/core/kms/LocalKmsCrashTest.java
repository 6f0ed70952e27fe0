package io.ppml.core.kms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.secret.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety and cross-process safety of {@link LocalKms}, with real child JVMs: a child killed with
 * SIGKILL at random moments never loses a key it reported as created, never leaves a store that fails to
 * open, and two processes creating keys at once lose none of each other's.
 */
class LocalKmsCrashTest {
  private static final int ROUNDS = 8;
  @TempDir Path tmp;

  @Test
  void sigkillAtRandomMomentsNeverLosesAnAcknowledgedKey() throws Exception {
    Path home = tmp.resolve("home");
    Random random = new Random();
    Map<String, WrappedKey> acknowledged = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      Process child = start(home, "r" + round, "100000");
      // Destroying a process closes its streams: collect its output as it comes.
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      Thread collector = new Thread(() -> copy(child.getInputStream(), stdout));
      collector.start();
      // Let it run for a random while: some rounds die during start-up, most in the middle of an update.
      Thread.sleep(300 + random.nextInt(900));
      child.destroyForcibly();
      assertTrue(child.waitFor(20, TimeUnit.SECONDS), "child did not die");
      collector.join(20_000);
      acknowledged.putAll(reported(stdout));

      try (LocalKms kms = LocalKms.open(home)) {
        for (Map.Entry<String, WrappedKey> e : acknowledged.entrySet()) {
          try (SecretBytes dek = kms.unwrap(e.getValue())) {
            assertEquals(32, dek.length(), e.getKey());
          }
        }
        assertTrue(kms.listKeys().size() >= acknowledged.size());
      }
    }
    assertTrue(acknowledged.size() > 0, "no child reported a key; the test proved nothing");
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("after-the-crashes"); // the store is writable, stale temp files are no obstacle
    }
    try (var files = Files.list(home)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp-")));
    }
  }

  @Test
  void twoProcessesCreatingKeysAtOnceSeeEachOthersKeys() throws Exception {
    Path home = tmp.resolve("home");
    int each = 25;
    Process a = start(home, "a", Integer.toString(each), Integer.toString(2 * each));
    Process b = start(home, "b", Integer.toString(each), Integer.toString(2 * each));
    Map<String, WrappedKey> reported = new LinkedHashMap<>();
    for (Process p : List.of(a, b)) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), err);
      assertTrue(out.contains("saw " + 2 * each + "\n"), out);
      reported.putAll(parse(out));
    }
    assertEquals(2 * each, reported.size());
    try (LocalKms kms = LocalKms.open(home)) {
      assertEquals(2 * each, kms.listKeys().size());
      for (WrappedKey w : reported.values()) {
        kms.unwrap(w).close();
      }
    }
  }

  private static Process start(Path home, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"),
        KmsChildProcess.class.getName(), home.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (out) {
          out.write(buf, 0, n);
        }
      }
    } catch (IOException closedByDestroy) {
      // the child was killed; what was read so far is what it reported
    }
  }

  /** The keys a killed child reported; a last line cut off by the kill is not a report. */
  private static Map<String, WrappedKey> reported(ByteArrayOutputStream stdout) throws IOException {
    String text;
    synchronized (stdout) {
      text = stdout.toString(StandardCharsets.UTF_8);
    }
    return parse(text.substring(0, text.lastIndexOf('\n') + 1));
  }

  private static Map<String, WrappedKey> parse(String lines) throws IOException {
    Map<String, WrappedKey> keys = new LinkedHashMap<>();
    for (String line : lines.split("\n")) {
      String[] f = line.split(" ");
      if (f[0].equals("created")) {
        WrappedKey w = WrappedKey.fromBase64(f[2]);
        assertEquals(f[1], w.keyName());
        keys.put(f[1], w);
      }
    }
    return keys;
  }
}
