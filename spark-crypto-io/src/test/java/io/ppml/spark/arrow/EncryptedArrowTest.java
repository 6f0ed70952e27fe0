package io.ppml.spark.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedArrowTest {
  private static final int ROWS = 10_000; // more than one Arrow batch

  @TempDir static Path dir;
  private static Path home;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    home = dir.resolve("kms");
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("exports");
    }
    spark = SparkSession.builder().master("local[2]").appName("ppml-arrow-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config(KmsSettings.TYPE, KmsSettings.TYPE_LOCAL)
        .config(KmsSettings.LOCAL_HOME, home.toString())
        .getOrCreate();
  }

  @AfterAll
  static void stop() throws Exception {
    spark.stop();
    ExecutorKms.closeAll();
  }

  static Dataset<Row> sample() {
    StructType schema = new StructType()
        .add("id", DataTypes.LongType, false)
        .add("n", DataTypes.IntegerType)
        .add("score", DataTypes.DoubleType)
        .add("name", DataTypes.StringType)
        .add("flag", DataTypes.BooleanType)
        .add("blob", DataTypes.BinaryType)
        .add("day", DataTypes.DateType)
        .add("at", DataTypes.TimestampType)
        .add("amount", DataTypes.createDecimalType(12, 2));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      boolean nulls = i % 7 == 0;
      rows.add(RowFactory.create((long) i, nulls ? null : i * 3, nulls ? null : i / 4.0,
          nulls ? null : "secret-name-" + i, nulls ? null : i % 2 == 0,
          nulls ? null : new byte[] {(byte) i, 1, 2}, nulls ? null : Date.valueOf("2024-01-01"),
          nulls ? null : new Timestamp(1_700_000_000_000L + i * 1000L),
          nulls ? null : new BigDecimal(i).movePointLeft(2)));
    }
    return spark.createDataFrame(rows, schema).repartition(3);
  }

  @Test
  void roundTripKeepsSchemaValuesAndNulls() throws IOException {
    String path = dir.resolve("round-trip.arrow.enc").toString();
    Dataset<Row> df = sample();
    EncryptedArrow.write(df, path, "exports");

    byte[] bytes = Files.readAllBytes(Path.of(path));
    assertFalse(contains(bytes, "secret-name-1".getBytes(StandardCharsets.UTF_8)));

    Dataset<Row> back = EncryptedArrow.read(spark, path);
    assertEquals(df.schema().fieldNames().length, back.schema().fieldNames().length);
    assertEquals(df.schema().toDDL(), back.schema().toDDL());
    assertEquals(sorted(df), sorted(back));
  }

  @Test
  void tamperedFileIsRejected() throws IOException {
    String path = dir.resolve("tampered.arrow.enc").toString();
    EncryptedArrow.write(sample(), path, "exports");
    byte[] bytes = Files.readAllBytes(Path.of(path));
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(Path.of(path), bytes);
    // Whoever can change the file can change its checksum file too; let the format's own check decide.
    Files.deleteIfExists(Path.of(path).resolveSibling("." + Path.of(path).getFileName() + ".crc"));

    IOException e = assertThrows(IOException.class, () -> EncryptedArrow.read(spark, path));
    assertTrue(hasCause(e, IntegrityException.class), () -> "unexpected failure: " + e);
  }

  @Test
  void existingTargetIsNotOverwritten() throws IOException {
    Path path = dir.resolve("exists.arrow.enc");
    Files.writeString(path, "keep");
    assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> EncryptedArrow.write(sample(), path.toString(), "exports"));
    assertEquals("keep", Files.readString(path));
  }

  @Test
  void plainReaderWorksWithoutSpark() throws Exception {
    Path path = dir.resolve("plain-reader.arrow.enc");
    EncryptedArrow.write(sample(), path.toString(), "exports");

    long rows = 0;
    long nullNames = 0;
    try (LocalKms kms = LocalKms.open(home);
         ArrowStreamReader reader = EncryptedArrow.openStream(path, kms)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      assertEquals(List.of("id", "n", "score", "name", "flag", "blob", "day", "at", "amount"),
          root.getSchema().getFields().stream().map(f -> f.getName()).toList());
      while (reader.loadNextBatch()) {
        rows += root.getRowCount();
        nullNames += root.getVector("name").getNullCount();
      }
    }
    assertEquals(ROWS, rows);
    assertEquals((ROWS + 6) / 7, nullNames);
  }

  private static List<String> sorted(Dataset<Row> df) {
    return df.collectAsList().stream().map(EncryptedArrowTest::render).sorted().toList();
  }

  private static String render(Row r) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < r.size(); i++) {
      Object v = r.get(i);
      b.append(v instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : String.valueOf(v)).append('|');
    }
    return b.toString();
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
