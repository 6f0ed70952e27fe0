package io.ppml.bench.spark;

import io.ppml.bench.spark.SparkBench.Options;
import io.ppml.bench.spark.SparkBench.Result;
import io.ppml.bench.spark.SparkBench.Stats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The markdown table of one run, and its place in docs/benchmarks.md between the Spark markers. */
final class Report {
  static final String BEGIN = "<!-- bench:spark:begin -->";
  static final String END = "<!-- bench:spark:end -->";

  private Report() {}

  static String render(List<Result> results, long rows, Path csv, Options options, String loadBefore)
      throws IOException {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Run %s with `%s` (%d timed runs of each side after one warm-up, "
            + "Spark %s `local[2]`, Java %s).%n",
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
        options.command(), options.reps(), org.apache.spark.package$.MODULE$.SPARK_VERSION(),
        System.getProperty("java.version")));
    b.append(String.format(Locale.ROOT, "Machine: %d CPUs (nproc), %s memory, %s. Data: %s CSV, %,d rows "
            + "(generated, cached under `%s`). Load average (1 min) before / after: %s / %s.%n%n",
        Runtime.getRuntime().availableProcessors(), memory(), System.getProperty("os.arch"), gb(Files.size(csv)),
        rows, options.workDir(), loadBefore, loadAverage()));
    b.append("| Comparison | Plaintext | Encrypted | Plaintext s (min / median / max) "
        + "| Encrypted s (min / median / max) | Ratio (medians) | Ratio (minima) | Target |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      if (r.plain() == null) {
        continue;
      }
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %.2f | %.2f | >= %.2f %s |%n", r.name(),
          r.plainLabel(), r.encryptedLabel(), stats(r.plain()), stats(r.encrypted()), r.ratio(), r.minRatio(),
          r.target(), r.ratio() >= r.target() ? "(met)" : "(NOT met)"));
    }
    b.append("\nRatio = plaintext time / encrypted time, i.e. encrypted throughput as a fraction of plaintext "
        + "throughput (1.00 = no overhead; higher is better); the target is checked on the medians. The minima are "
        + "the runs least disturbed by other work on the machine. Scans group by country and aggregate every other "
        + "column, so every column is read and, for ppml-parquet, decrypted.\n");
    for (Result r : results) {
      if (r.plain() == null) {
        b.append(String.format(Locale.ROOT, "%n%s (`spark.sql.files.maxPartitionBytes` default 128 MiB): "
            + "%s %d tasks, %s %d tasks.%n", r.name(), r.plainLabel(), r.plainTasks(), r.encryptedLabel(),
            r.encryptedTasks()));
      }
    }
    return b.toString();
  }

  /** Replaces what is between the Spark I/O markers in {@code file}. */
  static void writeBetweenMarkers(Path file, String content) throws IOException {
    writeBetweenMarkers(file, BEGIN, END, content);
  }

  /**
   * Replaces what is between {@code begin} and {@code end} in {@code file}, creating the file with a title if it
   * is missing.
   */
  static void writeBetweenMarkers(Path file, String begin, String end, String content) throws IOException {
    if (!Files.exists(file)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, "# Benchmarks\n\n" + begin + "\n" + end + "\n");
    }
    String text = Files.readString(file);
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IOException(file + " lacks the markers " + begin + " and " + end);
    }
    String updated = text.substring(0, from + begin.length()) + "\n" + content.strip() + "\n"
        + text.substring(to);
    Files.writeString(file, updated);
  }

  static String stats(Stats s) {
    return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", s.min(), s.median(), s.max());
  }

  static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
  }

  /** The 1-minute load average: other work on the machine skews wall-clock timings. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // reported as unknown below
    }
    return "unknown";
  }
}
