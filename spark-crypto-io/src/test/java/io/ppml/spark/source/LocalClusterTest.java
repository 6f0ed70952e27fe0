package io.ppml.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two executor JVMs ({@code local-cluster}) write and read encrypted CSV with the LocalKms in a shared home:
 * only the key name and the home travel to them. Needs {@code SPARK_HOME} (set by the build) to name a
 * directory; its {@code jars/} stays empty because the executors get the test class path.
 */
class LocalClusterTest {
  @TempDir
  static Path dir;

  @AfterAll
  static void closeKms() throws Exception {
    ExecutorKms.closeAll();
  }

  @Test
  void twoExecutorJvmsWriteAndReadEncryptedCsv() throws Exception {
    String sparkHome = System.getenv("SPARK_HOME");
    assertNotNull(sparkHome, "SPARK_HOME must name a directory for the local-cluster workers");
    Files.createDirectories(Path.of(sparkHome, "jars"));
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path home = dir.resolve("kms");
    ExecutorKms.forSettings(KmsSettings.local(home)).createKey("customers");

    SparkSession spark = SparkSession.builder()
        .master("local-cluster[2,1,1024]")
        .appName("local-cluster")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.executor.extraClassPath", classPath)
        .config(KmsSettings.LOCAL_HOME, home.toString())
        .getOrCreate();
    try {
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (spark.sparkContext().getExecutorMemoryStatus().size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertEquals(3, spark.sparkContext().getExecutorMemoryStatus().size(), "driver and two executors");

      StructType schema = new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        rows.add(RowFactory.create(i, "cluster-secret-" + i));
      }
      String out = dir.resolve("csv").toString();
      spark.createDataFrame(rows, schema).repartition(4).write().format("ppml-csv").option("key", "customers")
          .save(out);
      SparkTestSupport.assertEncrypted(Path.of(out), "cluster-secret");

      List<Row> read = new ArrayList<>(spark.read().format("ppml-csv").schema(schema).load(out).collectAsList());
      read.sort((a, b) -> Integer.compare(a.getInt(0), b.getInt(0)));
      assertEquals(rows, read);

      long driver = ProcessHandle.current().pid();
      Set<Long> pids = new HashSet<>(spark.range(0, 8, 1, 8)
          .map((MapFunction<Long, Long>) x -> ProcessHandle.current().pid(), Encoders.LONG()).collectAsList());
      assertTrue(!pids.contains(driver) && !pids.isEmpty(), "tasks ran in executor JVMs: " + pids);
    } finally {
      spark.stop();
    }
  }
}
