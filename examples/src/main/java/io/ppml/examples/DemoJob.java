package io.ppml.examples;

import io.ppml.spark.agent.AttestedJvm;
import io.ppml.spark.kms.ExecutorKms;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * The driver of {@code ppml demo}: in a JVM the agent has attested, starts a protected {@code local-cluster} of
 * two attested executors ({@link ExampleSession#attestedCluster}), runs {@link ProtectedPipeline} in the work
 * directory, scans it for the canary while Spark's shuffle files still exist, and prints a report. Exit codes:
 * 0 success, 1 canary found, 2 usage.
 *
 * <p>{@code DemoJob WORKDIR CUSTOMERS TRANSACTIONS SEED AGENT_JAR}
 */
public final class DemoJob {
  /** Executor JVMs of the demo cluster. */
  public static final int EXECUTORS = 2;
  /** First word of the report line that confirms the attested cluster. */
  public static final String CLUSTER_LINE = "cluster:";

  private DemoJob() {}

  public static void main(String[] args) throws Exception {
    JobArgs.require(args, 5, "DemoJob WORKDIR CUSTOMERS TRANSACTIONS SEED AGENT_JAR");
    Path dir = Path.of(args[0]).toAbsolutePath();
    long customers = Long.parseLong(args[1]);
    long transactions = Long.parseLong(args[2]);
    long seed = Long.parseLong(args[3]);
    Path agentJar = Path.of(args[4]);
    PrintStream out = System.out;
    AttestedJvm driver = AttestedJvm.current().orElseThrow(() -> new IllegalStateException(
        "the demo driver must run with -javaagent:ppml-agent.jar"));

    ProtectedPipeline.Report report;
    CanaryScan.Report scan;
    long start = System.nanoTime();
    SparkSession spark = ExampleSession.attestedCluster(dir, EXECUTORS, driver.settings(), agentJar);
    try {
      awaitExecutors(spark);
      out.printf("%s %d executor JVMs attested and connected over mutual TLS in %.1f s (driver attested in %d ms)%n",
          CLUSTER_LINE, EXECUTORS, (System.nanoTime() - start) / 1e9, driver.attestationTime().toMillis());
      report = ProtectedPipeline.run(spark, dir.resolve("data"), customers, transactions, seed);
      // Scanned while Spark is up, so that its shuffle and spill files under DIR/spark-local are included.
      scan = new CanaryScan(BankDataGenerator.CANARY).scan(dir);
    } finally {
      spark.stop();
      ExecutorKms.closeAll();
    }
    print(out, report, dir.resolve("data"));
    for (CanaryScan.Hit hit : scan.hits()) {
      System.err.println("canary found (" + hit.encoding() + ") in " + hit.file());
    }
    System.exit(scan.hits().isEmpty() ? 0 : 1);
  }

  private static void awaitExecutors(SparkSession spark) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (spark.sparkContext().getExecutorMemoryStatus().size() < EXECUTORS + 1) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("executors did not start within 120 s; their stderr under "
            + "SPARK_HOME/work names the failed attestation step");
      }
      Thread.sleep(100);
    }
  }

  private static void print(PrintStream out, ProtectedPipeline.Report report, Path data) throws IOException {
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
  }
}
