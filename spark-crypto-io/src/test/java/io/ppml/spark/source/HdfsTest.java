package io.ppml.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.codec.PpmlCodec;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encrypted files on a real (in-process) HDFS behave exactly as on local disk, splits included. */
class HdfsTest {
  @TempDir
  static Path dir;
  private static MiniDFSCluster cluster;
  private static FileSystem fs;
  private static String root;
  private static SparkSession spark;
  private static KeyManagementService kms;

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
    root = fs.getUri().toString();
    Path home = dir.resolve("kms");
    kms = ExecutorKms.forSettings(KmsSettings.local(home));
    kms.createKey("customers");
    spark = SparkTestSupport.localSession("hdfs", home, Map.of());
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
  void csvRoundTripOnHdfs() throws Exception {
    StructType schema = new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(RowFactory.create(i, "hdfs-secret-" + i));
    }
    String out = root + "/data/csv";
    spark.createDataFrame(rows, schema).repartition(3).write().format("ppml-csv").option("key", "customers")
        .option("header", "true").save(out);

    RemoteIterator<LocatedFileStatus> files = fs.listFiles(new org.apache.hadoop.fs.Path(out), true);
    int encrypted = 0;
    while (files.hasNext()) {
      FileStatus file = files.next();
      String name = file.getPath().getName();
      if (name.startsWith("_")) {
        continue;
      }
      assertTrue(name.endsWith(PpmlCodec.EXTENSION), name);
      byte[] bytes = new byte[(int) file.getLen()];
      try (var in = fs.open(file.getPath())) {
        in.readFully(bytes);
      }
      assertFalse(SparkTestSupport.contains(bytes, "hdfs-secret".getBytes(StandardCharsets.UTF_8)));
      encrypted++;
    }
    assertTrue(encrypted > 0);
    List<Row> read = new ArrayList<>(spark.read().format("ppml-csv").option("header", "true")
        .option("inferSchema", "true").load(out).collectAsList());
    read.sort((a, b) -> Integer.compare(a.getInt(0), b.getInt(0)));
    assertEquals(rows, read);
  }

  @Test
  void splitReadOnHdfs() throws Exception {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(root + "/data/split/lines.txt.ppml");
    List<String> lines = new ArrayList<>();
    try (DataKey key = kms.generateDataKey("customers");
        OutputStream out = fs.create(file);
        SegmentedAeadWriter writer = new SegmentedAeadWriter(out, key, 1024, file.toString())) {
      for (int i = 0; i < 20_000; i++) {
        String line = "line " + i + " " + "x".repeat(i % 97);
        lines.add(line);
        writer.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    spark.conf().set("spark.sql.files.maxPartitionBytes", "65536");
    spark.conf().set("spark.sql.files.openCostInBytes", "1024");
    try {
      var text = spark.read().format("ppml-text").load(root + "/data/split");
      assertTrue(text.rdd().getNumPartitions() > 5, "partitions: " + text.rdd().getNumPartitions());
      List<String> read = new ArrayList<>(text.as(Encoders.STRING()).collectAsList());
      read.sort(null);
      lines.sort(null);
      assertEquals(lines, read);
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
      spark.conf().unset("spark.sql.files.openCostInBytes");
    }
  }
}
