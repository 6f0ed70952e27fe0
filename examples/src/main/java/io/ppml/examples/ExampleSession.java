package io.ppml.examples;

import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.agent.AgentSettings;
import io.ppml.spark.agent.AttestedJvm;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import io.ppml.spark.plugin.PpmlSparkPlugin;
import io.ppml.spark.sql.PpmlSqlExtensions;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.SparkSession;

/** Spark sessions for the example jobs. */
public final class ExampleSession {
  private ExampleSession() {}

  /**
   * The session of a job started with {@code spark-submit}: everything comes from the submitted configuration
   * ({@code spark.ppml.kms.*} among it); only the SQL extension with the {@code ppml_*} functions is added.
   */
  public static SparkSession submitted(String appName) {
    return SparkSession.builder().appName(appName)
        .config("spark.sql.extensions", PpmlSqlExtensions.class.getName())
        .getOrCreate();
  }

  /**
   * A {@code local[2]} session that writes only under {@code workDir}: Spark's local directory (shuffle and
   * spill files, encrypted with Spark's I/O encryption) and the warehouse are there, the UI and event log are
   * off, and the key service is the LocalKms in {@code kmsHome}.
   *
   * @throws IllegalStateException if this JVM already runs a session (its settings could not be confined)
   */
  public static SparkSession confined(Path workDir, Path kmsHome) throws IOException {
    return confinedBuilder(workDir).master("local[2]")
        .config("spark.io.encryption.enabled", "true")
        .config(KmsSettings.TYPE, KmsSettings.TYPE_LOCAL)
        .config(KmsSettings.LOCAL_HOME, kmsHome.toString())
        .getOrCreate();
  }

  /**
   * A protected multi-JVM session confined to {@code workDir} like {@link #confined}: this JVM must be an attested
   * driver ({@link AttestedJvm}); {@code executors} executor JVMs ({@code local-cluster}) start with the agent
   * {@code agentJar}, attest to the same key broker with {@code executorAgent}'s settings, and talk to the driver
   * and each other over mutual TLS only ({@link PpmlSparkPlugin}). Keys come from the key broker. The JVM's
   * environment must name a {@code SPARK_HOME} directory with a {@code jars/} directory for the workers.
   */
  public static SparkSession attestedCluster(Path workDir, int executors, AgentSettings executorAgent,
      Path agentJar) throws IOException {
    AttestedJvm.current().orElseThrow(() -> new IllegalStateException(
        "this JVM is not attested: run it with -javaagent:ppml-agent.jar and the PPML_* environment"));
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(p -> Path.of(p).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator));
    Map<String, String> settings = PpmlSparkPlugin.sessionSettings(executorAgent, agentJar);
    settings.merge(PpmlSparkPlugin.EXECUTOR_JAVA_OPTIONS,
        "-Djava.io.tmpdir=" + Files.createDirectories(workDir.resolve("tmp")), (a, t) -> a + " " + t);
    SparkSession.Builder b = confinedBuilder(workDir)
        .master("local-cluster[" + executors + ",1,1024]")
        .config("spark.executor.extraClassPath", classPath);
    settings.forEach(b::config);
    return b.getOrCreate();
  }

  private static SparkSession.Builder confinedBuilder(Path workDir) throws IOException {
    if (SparkSession.getDefaultSession().isDefined() || SparkSession.getActiveSession().isDefined()) {
      // getOrCreate would return it with its own local directory, outside workDir.
      throw new IllegalStateException("a Spark session is already running in this JVM; stop it first");
    }
    Path local = Files.createDirectories(workDir.resolve("spark-local"));
    Path warehouse = workDir.resolve("spark-warehouse");
    return SparkSession.builder().appName("ppml-examples")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "WARN")
        .config("spark.eventLog.enabled", "false")
        .config("spark.local.dir", local.toString())
        .config("spark.sql.warehouse.dir", warehouse.toUri().toString())
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.extensions", PpmlSqlExtensions.class.getName());
  }

  /**
   * The driver's key service, named by the session's {@code spark.ppml.kms.*} settings (the same one the
   * executors of this JVM use); callers must not close it.
   */
  public static KeyManagementService keyService(SparkSession spark) throws IOException {
    return ExecutorKms.forSettings(KmsSettings.fromSparkConf(spark.sparkContext().getConf()));
  }
}
