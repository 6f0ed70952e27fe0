package io.ppml.cli;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.kms.LocalKms;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ppml demo}: the file encryption round trip on synthetic data, in a fresh work directory with its own
 * key store. Checks that decryption restores the data, that the ciphertext contains none of its values, and that
 * a damaged copy is refused with no output; exits 1 if any check fails.
 */
@Command(name = "demo", description = {
    "Encrypt, decrypt and tamper with a synthetic CSV in a fresh work directory with its own key store,",
    "and report what was checked."})
final class DemoCommand implements Callable<Integer> {
  private static final String KEY = "demo";
  private static final String[] FIRST = {"Alice", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hiro",
      "Ines", "Jonas", "Keiko", "Lars", "Mariam", "Nikolai", "Olga", "Pedro"};
  private static final String[] LAST = {"Moreau", "Kowalski", "Tanaka", "Okafor", "Lindqvist", "Haddad", "Rossi",
      "Novak", "Fernandes", "Schmidt", "Nakamura", "Petrov"};
  private static final String[] CITIES = {"Lisbon", "Krakow", "Osaka", "Lagos", "Uppsala", "Beirut", "Torino",
      "Brno", "Recife", "Hamburg"};
  /** Shorter values could turn up in random ciphertext by chance; the check looks for these and longer. */
  private static final int MIN_CHECKED_LENGTH = 6;

  @Spec CommandSpec spec;

  @Option(names = "--workdir", paramLabel = "DIR",
      description = "Work directory (default: a new temporary directory, named in the report).")
  Path workdir;

  @Option(names = "--rows", paramLabel = "N", defaultValue = "5000",
      description = "Sample rows (default ${DEFAULT-VALUE}).")
  int rows;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = workdir == null ? Files.createTempDirectory("ppml-demo-") : Files.createDirectories(workdir);
    Path csv = dir.resolve("customers.csv");
    Path encrypted = dir.resolve("customers.csv.ppml");
    Path decrypted = dir.resolve("customers.decrypted.csv");
    Path damaged = dir.resolve("customers.damaged.ppml");
    Path refused = dir.resolve("customers.damaged.csv");
    Progress quiet = new Progress(spec.commandLine().getErr(), false);
    out.println("work directory: " + dir);

    try (LocalKms kms = LocalKms.open(dir.resolve("home"))) {
      if (kms.listKeys().stream().noneMatch(k -> k.name().equals(KEY))) {
        kms.createKey(KEY);
      }
      out.println("key store:      " + kms.home() + " (embedded development key store), key '" + KEY + "'");

      Set<String> values = writeSample(csv, rows);
      FileHeader header = FileEncryption.encrypt(kms, KEY, SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE, csv, encrypted,
          true, quiet);
      long segments = header.segmentCount(Files.size(encrypted));
      out.printf("encrypted:      %s (%,d bytes) -> %s (%,d bytes, %d segments, key %s v%d)%n", csv.getFileName(),
          Files.size(csv), encrypted.getFileName(), Files.size(encrypted), segments, header.keyName(),
          header.keyVersion());

      FileEncryption.decrypt(kms, encrypted, decrypted, true, quiet);
      check(Files.mismatch(csv, decrypted) == -1, "decrypted file differs from the original");
      out.println("decrypted:      " + decrypted.getFileName() + " is identical to " + csv.getFileName());

      String ciphertext = new String(Files.readAllBytes(encrypted), StandardCharsets.ISO_8859_1);
      long found = values.stream().filter(ciphertext::contains).count();
      check(found == 0, found + " sample values appear in the ciphertext");
      out.printf("no leaks:       none of %,d distinct sample values (%d+ characters) occurs in the ciphertext%n",
          values.size(), MIN_CHECKED_LENGTH);

      byte[] bytes = Files.readAllBytes(encrypted);
      long segment = segments > 1 ? 1 : 0;
      bytes[(int) header.segmentOffset(segment) + 10] ^= 0x01;
      Files.write(damaged, bytes);
      Files.deleteIfExists(refused);
      try {
        FileEncryption.decrypt(kms, damaged, refused, true, quiet);
        check(false, "a damaged copy decrypted without error");
      } catch (IntegrityException e) {
        check(e.segment() == segment && !Files.exists(refused), "damage was reported at the wrong place");
        out.println("tampering:      one flipped bit in segment " + segment + " of " + damaged.getFileName()
            + " refused, no output written");
        out.println("                (" + e.getMessage() + ")");
      }
    }
    out.println("demo: all checks passed");
    return 0;
  }

  private static void check(boolean ok, String failure) throws IOException {
    if (!ok) {
      throw new IOException("demo check failed: " + failure);
    }
  }

  /** Writes synthetic customer rows; returns the distinct values long enough to search for in the ciphertext. */
  private static Set<String> writeSample(Path csv, int rows) throws IOException {
    Random random = new Random(42);
    Set<String> values = new TreeSet<>();
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      w.write("id,name,email,city,balance\n");
      for (int i = 0; i < rows; i++) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        String[] row = {
            Integer.toString(100000 + i),
            first + " " + last,
            (first + "." + last + (i % 97) + "@example.com").toLowerCase(Locale.ROOT),
            CITIES[random.nextInt(CITIES.length)],
            String.format(Locale.ROOT, "%.2f", random.nextDouble() * 100000)};
        w.write(String.join(",", row));
        w.write('\n');
        for (String v : row) {
          if (v.length() >= MIN_CHECKED_LENGTH) {
            values.add(v);
          }
        }
      }
    }
    return values;
  }
}
