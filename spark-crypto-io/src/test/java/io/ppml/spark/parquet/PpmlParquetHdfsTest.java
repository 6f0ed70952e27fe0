package io.ppml.spark.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.kms.LocalKms;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ppml-parquet on a real (in-process) HDFS: NameNode and DataNode from hadoop-client-minicluster. */
class PpmlParquetHdfsTest {
  @TempDir static Path dir;
  private static MiniDFSCluster cluster;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    Path home = dir.resolve("kms");
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("k1");
    }
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    spark = SparkSession.builder().master("local[2]").appName("ppml-parquet-hdfs-test")
        .config("spark.ui.enabled", "false")
        .config(KmsSettings.TYPE, KmsSettings.TYPE_LOCAL)
        .config(KmsSettings.LOCAL_HOME, home.toString())
        .getOrCreate();
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (cluster != null) {
      cluster.shutdown();
    }
    ExecutorKms.closeAll();
  }

  @Test
  void writesAndReadsEncryptedParquetOnHdfs() throws Exception {
    String out = "hdfs://localhost:" + cluster.getNameNodePort() + "/data/orders";
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(RowFactory.create(i, "hdfs-secret-" + i));
    }
    StructType schema = new StructType()
        .add("id", DataTypes.IntegerType)
        .add("secret", DataTypes.StringType);
    spark.createDataFrame(rows, schema).write().format("ppml-parquet").option("key", "k1").save(out);

    FileSystem fs = cluster.getFileSystem();
    int parts = 0;
    for (FileStatus s : fs.listStatus(new org.apache.hadoop.fs.Path("/data/orders"))) {
      if (!s.getPath().getName().endsWith(".parquet")) {
        continue;
      }
      parts++;
      byte[] bytes;
      try (InputStream in = fs.open(s.getPath()); ByteArrayOutputStream b = new ByteArrayOutputStream()) {
        in.transferTo(b);
        bytes = b.toByteArray();
      }
      assertEquals("PARE", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
      assertFalse(PpmlParquetTest.contains(bytes, "hdfs-secret-".getBytes(StandardCharsets.UTF_8)));
    }
    assertTrue(parts > 0, "no parquet files on HDFS");
    assertEquals(PpmlParquetTest.sorted(spark.createDataFrame(rows, schema)),
        PpmlParquetTest.sorted(spark.read().format("ppml-parquet").load(out)));
  }
}
