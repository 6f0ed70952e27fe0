package io.ppml.core.kms;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Runs in a child JVM for {@link LocalKmsCrashTest}. Usage: {@code HOME PREFIX COUNT [AWAIT_TOTAL]}.
 * Creates keys {@code PREFIX-0 ... PREFIX-(COUNT-1)}; after each createKey returns, prints
 * {@code created NAME BASE64_WRAPPED_DATA_KEY} (a data key wrapped by that key). With AWAIT_TOTAL, then waits
 * until the store lists that many keys and prints {@code saw N}. Prints only wrapped keys, never key bytes.
 */
public final class KmsChildProcess {
  private KmsChildProcess() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (LocalKms kms = LocalKms.open(home)) {
      for (int i = 0; i < count; i++) {
        String name = prefix + "-" + i;
        kms.createKey(name);
        out.println("created " + name + " " + kms.generateDataKey(name).wrapped().toBase64());
      }
      if (args.length > 3) {
        int total = Integer.parseInt(args[3]);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        int seen;
        while ((seen = kms.listKeys().size()) < total && Instant.now().isBefore(deadline)) {
          Thread.sleep(20);
        }
        out.println("saw " + seen);
      }
    }
  }
}
