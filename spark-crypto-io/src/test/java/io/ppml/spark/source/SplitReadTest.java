package io.ppml.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.codec.PpmlCodec;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One encrypted file read by many tasks: every row exactly once, however the file is split. */
class SplitReadTest {
  private static final String SCHEMA = "id LONG, name STRING, note STRING";

  @TempDir
  static Path dir;
  private static SparkSession spark;
  private static KeyManagementService kms;

  @BeforeAll
  static void start() throws Exception {
    Path home = dir.resolve("kms");
    kms = ExecutorKms.forSettings(KmsSettings.local(home));
    kms.createKey("customers");
    spark = SparkTestSupport.localSession("split-read", home, Map.of());
  }

  @AfterAll
  static void stop() throws Exception {
    spark.stop();
    ExecutorKms.closeAll();
  }

  /** Row {@code i} as CSV: a quoted note with commas, lengths varying so rows straddle segment boundaries. */
  private static String note(long i) {
    return "note " + i + ", with commas, " + "p".repeat((int) (i * 7 % 150));
  }

  private static String csvLine(long i) {
    return i + ",name-" + i + ",\"" + note(i) + "\"\n";
  }

  /** Streams rows 0.. into an encrypted file until it holds {@code bytes}; returns {count, checksum}. */
  private static long[] writeCsv(Path file, long bytes, int segmentSize) throws IOException {
    long count = 0;
    long checksum = 0;
    CRC32 crc = new CRC32();
    try (DataKey key = kms.generateDataKey("customers");
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        SegmentedAeadWriter writer = new SegmentedAeadWriter(out, key, segmentSize, file.toString())) {
      long written = 0;
      while (written < bytes) {
        byte[] line = csvLine(count).getBytes(StandardCharsets.UTF_8);
        writer.write(line);
        written += line.length;
        crc.reset();
        crc.update((count + "|name-" + count + "|" + note(count)).getBytes(StandardCharsets.UTF_8));
        checksum += crc.getValue();
        count++;
      }
    }
    return new long[] {count, checksum};
  }

  @Test
  void largeFileReadByManyTasksYieldsEveryRowOnce() throws Exception {
    Path data = dir.resolve("large");
    Files.createDirectories(data);
    Path file = data.resolve("rows.csv" + PpmlCodec.EXTENSION);
    long[] expected = writeCsv(file, 220L << 20, 64 * 1024);

    spark.conf().set("spark.sql.files.maxPartitionBytes", String.valueOf(16L << 20));
    try {
      Dataset<Row> rows = spark.read().format("ppml-csv").schema(SCHEMA).load(data.toString());
      int partitions = rows.rdd().getNumPartitions();
      assertTrue(partitions > 1, "partitions: " + partitions);
      Row result = rows.selectExpr("count(*)", "sum(crc32(concat_ws('|', cast(id as string), name, note)))")
          .first();
      assertEquals(expected[0], result.getLong(0));
      assertEquals(expected[1], result.getLong(1));
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
      Files.delete(file);
    }
  }

  @Test
  void tinySegmentsAndTinySplitsYieldExactlyTheRows() throws Exception {
    Path data = dir.resolve("small");
    Files.createDirectories(data);
    long[] expected = writeCsv(data.resolve("rows.csv" + PpmlCodec.EXTENSION), 300_000, 1024);
    List<String> lines = new ArrayList<>();
    for (long i = 0; i < expected[0]; i++) {
      String line = csvLine(i);
      lines.add(line.substring(0, line.length() - 1));
    }
    lines.sort(null);

    spark.conf().set("spark.sql.files.maxPartitionBytes", "7777");
    spark.conf().set("spark.sql.files.openCostInBytes", "1024");
    try {
      Dataset<Row> text = spark.read().format("ppml-text").load(data.toString());
      assertTrue(text.rdd().getNumPartitions() > 30, "partitions: " + text.rdd().getNumPartitions());
      List<String> read = new ArrayList<>(text.as(Encoders.STRING()).collectAsList());
      read.sort(null);
      assertEquals(lines, read);

      Row csv = spark.read().format("ppml-csv").schema(SCHEMA).load(data.toString())
          .selectExpr("count(*)", "sum(crc32(concat_ws('|', cast(id as string), name, note)))").first();
      assertEquals(expected[0], csv.getLong(0));
      assertEquals(expected[1], csv.getLong(1));
    } finally {
      spark.conf().unset("spark.sql.files.maxPartitionBytes");
      spark.conf().unset("spark.sql.files.openCostInBytes");
    }
  }
}
