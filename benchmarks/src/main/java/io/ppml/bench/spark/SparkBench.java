package io.ppml.bench.spark;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Encrypted vs plaintext Spark I/O on one machine, in one run: (a) CSV scan + aggregate, (b) CSV write,
 * (c) Parquet (PME, AES_GCM_V1) scan + aggregate, (d) tasks used to read one large encrypted file. Each timed
 * comparison runs one untimed warm-up of both sides, then {@code reps} alternating timed runs of each.
 *
 * <p>Usage: {@code SparkBench --work-dir DIR --size-mb N --reps N --report docs/benchmarks.md --command TEXT}.
 * Generated data is kept under the work directory and reused by later runs with the same size.
 */
public final class SparkBench {
  static final String KEY = "bench";
  private static final String GROUP_BY = "country";

  private final Options options;
  private final Path csvPlain;
  private final Path csvEncrypted;
  private final Path parquetPlain;
  private final Path parquetEncrypted;
  private final Path kmsHome;
  private long rows;
  private SparkSession spark;

  private SparkBench(Options options) {
    this.options = options;
    Path data = options.workDir.resolve("data-" + options.sizeMb + "mb");
    this.csvPlain = data.resolve("csv-plain/orders.csv");
    this.csvEncrypted = data.resolve("csv-encrypted/orders.csv" + ".ppml");
    this.parquetPlain = data.resolve("parquet-plain");
    this.parquetEncrypted = data.resolve("parquet-pme");
    this.kmsHome = options.workDir.resolve("kms");
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    SparkBench bench = new SparkBench(options);
    String loadBefore = Report.loadAverage();
    List<Result> results = bench.run();
    String table = Report.render(results, bench.rows, bench.csvPlain, options, loadBefore);
    System.out.println(table);
    Report.writeBetweenMarkers(options.report, table);
    System.out.println("wrote " + options.report);
  }

  private List<Result> run() throws Exception {
    prepareKey();
    prepareCsv();
    spark = SparkSession.builder().master("local[2]").appName("ppml-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config(KmsSettings.TYPE, KmsSettings.TYPE_LOCAL)
        .config(KmsSettings.LOCAL_HOME, kmsHome.toString())
        .getOrCreate();
    try {
      prepareParquet();
      List<Result> results = new ArrayList<>();
      results.add(compare("(a) CSV scan + aggregate", "csv", "ppml-csv", 0.90,
          () -> aggregate(csv("csv").load(csvPlain.toString())),
          () -> aggregate(csv("ppml-csv").load(csvEncrypted.toString()))));
      Path out = options.workDir.resolve("write-out");
      results.add(compare("(b) CSV write", "csv", "ppml-csv", 0.85,
          () -> csv("csv").load(csvPlain.toString()).write().mode(SaveMode.Overwrite).option("header", "true")
              .format("csv").save(out.resolve("plain").toString()),
          () -> csv("csv").load(csvPlain.toString()).write().mode(SaveMode.Overwrite).option("header", "true")
              .option("key", KEY).format("ppml-csv").save(out.resolve("encrypted").toString())));
      results.add(compare("(c) Parquet scan + aggregate", "parquet", "ppml-parquet (PME AES_GCM_V1)", 0.90,
          () -> aggregate(spark.read().parquet(parquetPlain.toString())),
          () -> aggregate(spark.read().format("ppml-parquet").load(parquetEncrypted.toString()))));
      results.add(new Result("(d) tasks reading one " + Report.gb(Files.size(csvPlain)) + " file", "csv",
          "ppml-csv", 0, null, null,
          csv("csv").load(csvPlain.toString()).rdd().getNumPartitions(),
          csv("ppml-csv").load(csvEncrypted.toString()).rdd().getNumPartitions()));
      return results;
    } finally {
      spark.stop();
      ExecutorKms.closeAll();
    }
  }

  private DataFrameReader csv(String format) {
    return spark.read().format(format).schema(CsvGenerator.SCHEMA).option("header", "true");
  }

  /** Groups by country and aggregates every other column, so that every column is read (and decrypted). */
  private static void aggregate(Dataset<Row> df) {
    List<Column> aggregates = new ArrayList<>(List.of(sum("amount"), avg("quantity"), sum("unit_price")));
    for (String c : df.columns()) {
      if (!c.equals(GROUP_BY)) {
        aggregates.add(max(c));
      }
    }
    df.groupBy(GROUP_BY).agg(count(lit(1)), aggregates.toArray(Column[]::new)).collectAsList();
  }

  private interface Job {
    void run() throws Exception;
  }

  private Result compare(String name, String plainLabel, String encryptedLabel, double target, Job plain,
      Job encrypted) throws Exception {
    System.out.println("== " + name + ": warm-up");
    plain.run();
    encrypted.run();
    List<Double> p = new ArrayList<>();
    List<Double> e = new ArrayList<>();
    for (int i = 0; i < options.reps; i++) {
      p.add(time(plain));
      e.add(time(encrypted));
      System.out.printf(Locale.ROOT, "== %s: run %d plaintext %.2f s, encrypted %.2f s%n", name, i + 1,
          p.get(i), e.get(i));
    }
    return new Result(name, plainLabel, encryptedLabel, target, Stats.of(p), Stats.of(e), 0, 0);
  }

  private static double time(Job job) throws Exception {
    long start = System.nanoTime();
    job.run();
    return (System.nanoTime() - start) / 1e9;
  }

  private void prepareKey() throws IOException {
    try (LocalKms kms = LocalKms.open(kmsHome)) {
      if (kms.listKeys().stream().noneMatch(k -> k.name().equals(KEY))) {
        kms.createKey(KEY);
      }
    }
  }

  private void prepareCsv() throws IOException {
    Path done = csvPlain.resolveSibling(".complete");
    if (!Files.exists(done)) {
      Files.createDirectories(csvPlain.getParent());
      System.out.println("== generating " + options.sizeMb + " MB of CSV in " + csvPlain);
      long rows;
      try (OutputStream out = Files.newOutputStream(csvPlain)) {
        rows = CsvGenerator.write(out, options.sizeMb * 1_000_000L, 42);
      }
      Files.writeString(done, Long.toString(rows));
    }
    rows = Long.parseLong(Files.readString(done).trim());
    Path encryptedDone = csvEncrypted.resolveSibling(".complete");
    if (!Files.exists(encryptedDone)) {
      Files.createDirectories(csvEncrypted.getParent());
      System.out.println("== encrypting " + csvPlain + " to " + csvEncrypted);
      try (KeyManagementService kms = LocalKms.open(kmsHome);
           InputStream in = Files.newInputStream(csvPlain);
           OutputStream out = SegmentedAeadWriter.open(Files.newOutputStream(csvEncrypted), kms, KEY,
               SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE, csvEncrypted.toString())) {
        in.transferTo(out);
      }
      Files.writeString(encryptedDone, "");
    }
  }

  private void prepareParquet() throws IOException {
    Path done = parquetPlain.resolveSibling(".parquet-complete");
    if (Files.exists(done)) {
      return;
    }
    System.out.println("== writing plaintext and PME Parquet copies");
    deleteTree(parquetPlain);
    deleteTree(parquetEncrypted);
    Dataset<Row> source = csv("csv").load(csvPlain.toString());
    source.write().parquet(parquetPlain.toString());
    source.write().format("ppml-parquet").option("key", KEY).save(parquetEncrypted.toString());
    Files.writeString(done, "");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Seconds of repeated runs. */
  record Stats(double min, double median, double max) {
    static Stats of(List<Double> seconds) {
      List<Double> s = seconds.stream().sorted().toList();
      int n = s.size();
      double median = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
      return new Stats(s.get(0), median, s.get(n - 1));
    }
  }

  /** One row of the report; timed comparisons have stats, the task count row has task counts. */
  record Result(String name, String plainLabel, String encryptedLabel, double target, Stats plain,
      Stats encrypted, int plainTasks, int encryptedTasks) {
    /** Median plaintext time over median encrypted time: the encrypted throughput as a fraction of plaintext. */
    double ratio() {
      return plain.median() / encrypted.median();
    }

    /** The same over the fastest runs. */
    double minRatio() {
      return plain.min() / encrypted.min();
    }
  }

  record Options(Path workDir, long sizeMb, int reps, Path report, String command) {
    static Options parse(String[] args) {
      Path workDir = Path.of("/tmp/ppml-bench");
      long sizeMb = 1100;
      int reps = 3;
      Path report = Path.of("docs/benchmarks.md");
      String command = "scripts/bench";
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--work-dir" -> workDir = Path.of(need(args[i], value));
          case "--size-mb" -> sizeMb = Long.parseLong(need(args[i], value));
          case "--reps" -> reps = Integer.parseInt(need(args[i], value));
          case "--report" -> report = Path.of(need(args[i], value));
          case "--command" -> command = need(args[i], value);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        i++;
      }
      if (reps < 3) {
        throw new IllegalArgumentException("--reps must be at least 3, got " + reps);
      }
      return new Options(workDir.toAbsolutePath(), sizeMb, reps, report, command);
    }

    private static String need(String name, String value) {
      if (value == null) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return value;
    }
  }
}
