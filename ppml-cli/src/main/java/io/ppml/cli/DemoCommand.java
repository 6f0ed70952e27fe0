package io.ppml.cli;

import io.ppml.examples.BankDataGenerator;
import io.ppml.examples.CanaryScan;
import io.ppml.examples.ExampleSession;
import io.ppml.examples.ProtectedPipeline;
import io.ppml.spark.kms.ExecutorKms;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ppml demo}: the protected pipeline (encrypted inputs, ETL, training, inference, queries) on Spark
 * {@code local[2]} in one work directory with its own key store, then a scan of every byte under that directory
 * for the canary marker planted in the PII. Exits 1 naming the files if the marker is found.
 */
@Command(name = "demo", description = {
    "Generate encrypted bank data, run ETL, training, inference and queries on local Spark in a work directory",
    "with its own key store, then scan every file there for the canary planted in the PII."})
final class DemoCommand implements Callable<Integer> {
  /** Report line printed when the scan finds nothing. */
  static final String NO_CANARY = "canary scan: no " + BankDataGenerator.CANARY + " found";

  @Spec CommandSpec spec;

  @Option(names = "--workdir", paramLabel = "DIR",
      description = "Work directory (default: a new temporary directory, named in the report).")
  Path workdir;

  @Option(names = "--customers", paramLabel = "N", defaultValue = "20000",
      description = "Customers to generate (default ${DEFAULT-VALUE}).")
  long customers;

  @Option(names = "--transactions", paramLabel = "N", defaultValue = "200000",
      description = "Transactions to generate (default ${DEFAULT-VALUE}).")
  long transactions;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Generator seed.")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path dir = (workdir == null ? Files.createTempDirectory("ppml-demo-") : Files.createDirectories(workdir))
        .toAbsolutePath();
    Path home = dir.resolve("kms");
    Path data = dir.resolve("data");
    out.println("work directory: " + dir);
    // A marker already in the directory would make the final scan meaningless: refuse before spending minutes.
    CanaryScan scanner = new CanaryScan(BankDataGenerator.CANARY);
    failIfFound(scanner.scan(dir), dir);
    ProtectedPipeline.createLocalKeys(home);
    out.println("key store:      " + home + " (embedded development key store, LocalKms)");
    out.flush();

    ProtectedPipeline.Report report;
    CanaryScan.Report scan;
    SparkSession spark = ExampleSession.confined(dir, home);
    try {
      report = ProtectedPipeline.run(spark, data, customers, transactions, seed);
      // Scanned while Spark is up, so that its shuffle and spill files under DIR/spark-local are included.
      scan = scanner.scan(dir);
    } finally {
      spark.stop();
      ExecutorKms.closeAll();
    }
    for (ProtectedPipeline.Stage s : report.stages()) {
      out.printf("%-10s %7.1f s  %s%n", s.name(), s.millis() / 1000.0, s.rows());
    }
    out.printf("model AUC:      %.4f (held-out 20%%)%n", report.training().auc());
    out.printf("input sizes:    plaintext %,d bytes (not written), encrypted CSV %,d bytes, "
            + "transactions Parquet %,d bytes%n", report.generated().plaintextBytes(),
        report.generated().encryptedBytes(),
        ProtectedPipeline.sizeOf(BankDataGenerator.transactionsDir(data.resolve("input"))));
    out.printf("output sizes:   features %,d, model %,d, predictions %,d, query results %,d bytes%n",
        ProtectedPipeline.sizeOf(ProtectedPipeline.featuresDir(data)),
        ProtectedPipeline.sizeOf(ProtectedPipeline.modelDir(data)),
        ProtectedPipeline.sizeOf(ProtectedPipeline.predictionsDir(data)),
        ProtectedPipeline.sizeOf(ProtectedPipeline.queriesDir(data)));

    failIfFound(scan, dir);
    out.printf("%s in %,d files (%,d bytes) under %s (UTF-8, UTF-16, base64)%n", NO_CANARY, scan.files(),
        scan.bytes(), dir);
    out.println("not shown yet: attested executors, the key broker (kbs-server), mutual TLS, multi-JVM cluster");
    return 0;
  }

  /** Names every file holding the marker on stderr (never its content) and fails with exit code 1. */
  private void failIfFound(CanaryScan.Report scan, Path dir) throws IOException {
    if (scan.hits().isEmpty()) {
      return;
    }
    for (CanaryScan.Hit hit : scan.hits()) {
      spec.commandLine().getErr().println("canary found (" + hit.encoding() + ") in " + hit.file());
    }
    throw new IOException("canary scan: " + BankDataGenerator.CANARY + " found in " + scan.hits().size()
        + " file(s) under " + dir);
  }
}
