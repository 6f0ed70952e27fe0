package io.ppml.bench.spark;

import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.bench.spark.SparkBench.Stats;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsServer;
import io.ppml.spark.agent.AgentSettings;
import io.ppml.spark.agent.AttestedJvm;
import io.ppml.spark.plugin.PpmlSparkPlugin;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;

/**
 * The attested cluster against a plain one, on {@code local-cluster[2,1,1024]} with a development key broker in
 * this JVM: (1) executor start time, session creation until both executors are registered, with the agent
 * attesting each executor (and mutual TLS) vs without; (2) a shuffle-heavy job with mutual TLS vs without TLS.
 * Shuffle and spill encryption are on in both, so (2) measures what TLS costs. Sides alternate, one warm-up
 * each. Writes its table into docs/benchmarks.md between the cluster markers.
 *
 * <p>{@code AttestedClusterBench WORK_DIR REPS ROWS REPORT_FILE COMMAND}; system property {@code ppml.agent.jar};
 * environment {@code SPARK_HOME} (a directory with {@code jars/}) and {@code SPARK_LOCAL_IP=127.0.0.1}.
 */
public final class AttestedClusterBench {
  static final String BEGIN = "<!-- bench:cluster:begin -->";
  static final String END = "<!-- bench:cluster:end -->";
  private static final int EXECUTORS = 2;

  private AttestedClusterBench() {}

  private record Run(double startSeconds, double jobSeconds, long checksum) {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int reps = Integer.parseInt(args[1]);
    long rows = Long.parseLong(args[2]);
    Path report = Path.of(args[3]);
    String command = args[4];
    Path agentJar = Path.of(System.getProperty("ppml.agent.jar")).toAbsolutePath();
    String loadBefore = Report.loadAverage();

    Path state = work.resolve("cluster-kbs");
    try (KbsServer kbs = KbsServer.start(DevKbs.prepare(state, 0, Clock.systemUTC()))) {
      AgentSettings agent = new AgentSettings(kbs.url(), state.resolve(DevKbs.CA), KbsClientConfig.TEE_SIMULATED,
          state.resolve(DevKbs.SIMULATED), work.resolve("keys"), null);
      AttestedJvm.bootstrap(agent);
      List<Run> plain = new ArrayList<>();
      List<Run> attested = new ArrayList<>();
      for (int i = 0; i <= reps; i++) {
        Run p = run(work, false, agent, agentJar, rows);
        Run a = run(work, true, agent, agentJar, rows);
        if (p.checksum() != a.checksum()) {
          throw new IllegalStateException("results differ: " + p.checksum() + " vs " + a.checksum());
        }
        System.err.printf(Locale.ROOT, "bench: rep %d: start %.2f / %.2f s, job %.2f / %.2f s (plain / attested)%n",
            i, p.startSeconds(), a.startSeconds(), p.jobSeconds(), a.jobSeconds());
        if (i > 0) {
          plain.add(p);
          attested.add(a);
        }
      }
      String table = render(plain, attested, rows, reps, command, loadBefore);
      Report.writeBetweenMarkers(report, BEGIN, END, table);
      System.out.println(table);
    }
  }

  private static Run run(Path work, boolean attested, AgentSettings agent, Path agentJar, long rows)
      throws Exception {
    String classPath = String.join(File.pathSeparator, List.of(System.getProperty("java.class.path")
        .split(File.pathSeparator)).stream().map(p -> Path.of(p).toAbsolutePath().toString()).toList());
    Path local = Files.createDirectories(work.resolve("cluster-local"));
    SparkSession.Builder b = SparkSession.builder()
        .master("local-cluster[" + EXECUTORS + ",1,1024]")
        .appName(attested ? "attested" : "plain")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.local.dir", local.toString())
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.io.encryption.enabled", "true")
        .config("spark.executor.extraClassPath", classPath);
    if (attested) {
      PpmlSparkPlugin.sessionSettings(agent, agentJar).forEach(b::config);
    } else {
      // This JVM is attested: its system properties turn TLS on unless the session says otherwise.
      b.config("spark.ssl.rpc.enabled", "false");
    }
    long t0 = System.nanoTime();
    SparkSession spark = b.getOrCreate();
    try {
      long deadline = t0 + TimeUnit.SECONDS.toNanos(180);
      while (spark.sparkContext().getExecutorMemoryStatus().size() < EXECUTORS + 1) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("executors did not start");
        }
        Thread.sleep(20);
      }
      long t1 = System.nanoTime();
      // Shuffle-heavy: every row, with a 100-byte payload, crosses the network twice.
      long checksum = spark.range(0, rows, 1, 8)
          .selectExpr("id", "id % 1009 AS k", "sha2(cast(id AS string), 256) || repeat('x', 36) AS payload")
          .repartition(8, new org.apache.spark.sql.Column("payload"))
          .groupBy("k").agg(org.apache.spark.sql.functions.count("payload").as("n"),
              org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.length(
                  new org.apache.spark.sql.Column("payload"))).as("bytes"))
          .selectExpr("sum(n * k + bytes)").first().getLong(0);
      long t2 = System.nanoTime();
      return new Run((t1 - t0) / 1e9, (t2 - t1) / 1e9, checksum);
    } finally {
      spark.stop();
    }
  }

  private static String render(List<Run> plain, List<Run> attested, long rows, int reps, String command,
      String loadBefore) {
    Stats ps = Stats.of(plain.stream().map(Run::startSeconds).toList());
    Stats as = Stats.of(attested.stream().map(Run::startSeconds).toList());
    Stats pj = Stats.of(plain.stream().map(Run::jobSeconds).toList());
    Stats aj = Stats.of(attested.stream().map(Run::jobSeconds).toList());
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Run %s with `%s` (%d timed runs of each side after one warm-up, sides "
            + "alternating; Spark %s `local-cluster[2,1,1024]`, key broker in the driver JVM, simulated TDX).%n",
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), command,
        reps, org.apache.spark.package$.MODULE$.SPARK_VERSION()));
    b.append(String.format(Locale.ROOT, "Machine: %d CPUs (nproc), %s memory. Job: %,d rows with a 100-byte "
            + "payload, repartitioned by payload and aggregated (two shuffles), shuffle and spill encryption on in "
            + "both. Load average (1 min) before / after: %s / %s.%n%n",
        Runtime.getRuntime().availableProcessors(), Report.memory(), rows, loadBefore, Report.loadAverage()));
    b.append("| Measure | Plain s (min / median / max) | Attested, mutual TLS s (min / median / max) "
        + "| Result (medians) | Target |\n|---|---|---|---|---|\n");
    double added = as.median() - ps.median();
    b.append(String.format(Locale.ROOT, "| Executor start (session until 2 executors registered) | %s | %s "
        + "| %+.2f s added | < 1 s added %s |%n", Report.stats(ps), Report.stats(as), added,
        added < 1 ? "(met)" : "(NOT met)"));
    double ratio = pj.median() / aj.median();
    b.append(String.format(Locale.ROOT, "| Shuffle-heavy job | %s | %s | ratio %.2f | >= 0.85 %s |%n",
        Report.stats(pj), Report.stats(aj), ratio, ratio >= 0.85 ? "(met)" : "(NOT met)"));
    b.append("\nRatio = plain time / attested time (1.00 = no overhead). Executor start includes, on the attested "
        + "side, each executor's attestation (quote verification by the broker) and certificate, and "
        + "the plugin's client-authentication probe.\n");
    return b.toString();
  }
}
