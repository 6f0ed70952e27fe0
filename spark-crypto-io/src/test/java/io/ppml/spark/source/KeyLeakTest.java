package io.ppml.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.secret.SecretBytes;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/** After encrypted jobs, no data key is in the Spark conf, the Hadoop conf or the event log. */
class KeyLeakTest {
  @TempDir
  static Path dir;

  @AfterAll
  static void closeKms() throws Exception {
    ExecutorKms.closeAll();
  }

  @Test
  void dataKeysAppearNowhere() throws Exception {
    Path home = dir.resolve("kms");
    Path events = Files.createDirectories(dir.resolve("events"));
    KeyManagementService kms = ExecutorKms.forSettings(KmsSettings.local(home));
    kms.createKey("customers");
    SparkSession spark = SparkTestSupport.localSession("key-leak", home,
        // Uncompressed (Spark 4 compresses event logs by default), so that scanning the bytes means something.
        Map.of("spark.eventLog.enabled", "true", "spark.eventLog.dir", events.toUri().toString(),
            "spark.eventLog.compress", "false"));
    List<String> encodings = new ArrayList<>();
    try {
      StructType schema = new StructType().add("id", DataTypes.IntegerType).add("name", DataTypes.StringType);
      List<Row> rows = List.of(RowFactory.create(1, "a"), RowFactory.create(2, "b"), RowFactory.create(3, "c"));
      String csv = dir.resolve("csv").toString();
      String json = dir.resolve("json").toString();
      spark.createDataFrame(rows, schema).repartition(2).write().format("ppml-csv").option("key", "customers")
          .save(csv);
      spark.createDataFrame(rows, schema).write().format("ppml-json").option("key", "customers").save(json);
      assertEquals(3, spark.read().format("ppml-csv").schema(schema).load(csv).collectAsList().size());
      assertEquals(3, spark.read().format("ppml-json").schema(schema).load(json).collectAsList().size());

      List<Path> files = new ArrayList<>(SparkTestSupport.dataFiles(Path.of(csv)));
      files.addAll(SparkTestSupport.dataFiles(Path.of(json)));
      for (Path file : files) {
        try (SecretBytes key = kms.unwrap(SparkTestSupport.header(file).wrappedKey())) {
          byte[] bytes = key.toByteArray();
          encodings.add(HexFormat.of().formatHex(bytes));
          encodings.add(HexFormat.of().withUpperCase().formatHex(bytes));
          encodings.add(Base64.getEncoder().encodeToString(bytes));
          encodings.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
      }
      assertTrue(encodings.size() >= 12);

      StringBuilder confText = new StringBuilder();
      for (Tuple2<String, String> entry : spark.sparkContext().getConf().getAll()) {
        confText.append(entry._1()).append('=').append(entry._2()).append('\n');
      }
      spark.conf().getAll().foreach(e -> confText.append(e._1()).append('=').append(e._2()).append('\n'));
      Configuration hadoop = spark.sessionState().newHadoopConf();
      hadoop.forEach(e -> confText.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
      for (String encoding : encodings) {
        assertFalse(confText.toString().contains(encoding), "a data key is in the configuration");
      }
    } finally {
      spark.stop();
    }
    List<Path> logs;
    try (Stream<Path> walk = Files.walk(events)) {
      logs = walk.filter(Files::isRegularFile).toList();
    }
    boolean recorded = false;
    for (Path log : logs) {
      byte[] bytes = Files.readAllBytes(log);
      recorded |= SparkTestSupport.contains(bytes, "ppml-csv".getBytes(StandardCharsets.UTF_8));
      for (String encoding : encodings) {
        assertFalse(SparkTestSupport.contains(bytes, encoding.getBytes(StandardCharsets.UTF_8)),
            "a data key is in the event log " + log);
      }
    }
    assertTrue(recorded, "the event log records the jobs");
  }
}
