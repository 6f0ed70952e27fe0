package io.ppml.spark.source;

import static io.ppml.spark.source.SparkTestSupport.assertEncrypted;
import static io.ppml.spark.source.SparkTestSupport.causeOf;
import static io.ppml.spark.source.SparkTestSupport.dataFiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.format.FileHeader;
import io.ppml.spark.api.PpmlSpark;
import io.ppml.spark.codec.InvalidWriteOptionException;
import io.ppml.spark.codec.PpmlCodec;
import io.ppml.spark.codec.PpmlWriteOptions;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, options and failures of the ppml-csv/json/text sources and of the codec under Spark's own. */
class EncryptedSourcesTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.IntegerType)
      .add("name", DataTypes.StringType)
      .add("score", DataTypes.DoubleType)
      .add("country", DataTypes.StringType);
  /** Values that must never appear in an encrypted file. */
  private static final String[] SECRETS = {"Ålice", "the builder", "customer-17-secret", "名前"};

  @TempDir
  static Path dir;
  private static SparkSession spark;
  private static List<Row> rows;

  @BeforeAll
  static void start() throws Exception {
    Path home = dir.resolve("kms");
    ExecutorKms.forSettings(KmsSettings.local(home)).createKey("customers");
    spark = SparkTestSupport.localSession("encrypted-sources", home, Map.of());
    rows = new ArrayList<>(List.of(
        RowFactory.create(1, "Ålice Ünïcode 名前", 1.5, "DE"),
        RowFactory.create(2, "Bob, \"the builder\"", null, "US"),
        RowFactory.create(3, null, 3.25, "US"),
        RowFactory.create(4, "Zoë 🚀", -0.5, "FR")));
    for (int i = 5; i < 60; i++) {
      rows.add(RowFactory.create(i, "customer-" + i + "-secret", i * 0.25, i % 2 == 0 ? "US" : "DE"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    spark.stop();
    ExecutorKms.closeAll();
  }

  private static Dataset<Row> people() {
    return spark.createDataFrame(rows, SCHEMA).repartition(3);
  }

  private static List<Row> sorted(Dataset<Row> data) {
    List<Row> list = new ArrayList<>(data.select("id", "name", "score", "country").collectAsList());
    list.sort(Comparator.comparingInt(r -> ((Number) r.get(0)).intValue()));
    return list;
  }

  private static List<Row> expected() {
    List<Row> list = new ArrayList<>(rows);
    list.sort(Comparator.comparingInt(r -> r.getInt(0)));
    return list;
  }

  @Test
  void csvPartitionedWithHeaderInferredSchemaAndAppend() throws Exception {
    String out = dir.resolve("csv").toString();
    people().write().format("ppml-csv").option("key", "customers").option("header", "true")
        .partitionBy("country").save(out);
    assertEncrypted(Path.of(out), SECRETS);
    assertTrue(Files.isDirectory(Path.of(out, "country=DE")));

    Dataset<Row> read = spark.read().format("ppml-csv").option("header", "true").option("inferSchema", "true")
        .load(out);
    assertEquals(DataTypes.IntegerType, read.schema().apply("id").dataType());
    assertEquals(DataTypes.DoubleType, read.schema().apply("score").dataType());
    assertEquals(expected(), sorted(read));

    people().write().format("ppml-csv").option("key", "customers").option("header", "true")
        .partitionBy("country").mode(SaveMode.Append).save(out);
    assertEncrypted(Path.of(out), SECRETS);
    assertEquals(2L * rows.size(), spark.read().format("ppml-csv").option("header", "true").load(out).count());
  }

  @Test
  void multiLineCsvWithQuotedNewlines() throws Exception {
    List<Row> multi = List.of(
        RowFactory.create(1, "first line\nsecond line, with comma", 1.0, "DE"),
        RowFactory.create(2, "quote \" and\r\nCRLF inside", 2.0, "US"),
        RowFactory.create(3, "plain", null, "FR"));
    String out = dir.resolve("multiline").toString();
    spark.createDataFrame(multi, SCHEMA).coalesce(1).write().format("ppml-csv").option("key", "customers")
        .save(out);
    assertEncrypted(Path.of(out), "second line");
    Dataset<Row> read = spark.read().format("ppml-csv").schema(SCHEMA).option("multiLine", "true").load(out);
    assertEquals(multi, sorted(read));
  }

  @Test
  void jsonRoundTripWithNullsAndUnicode() throws Exception {
    String out = dir.resolve("json").toString();
    people().write().format("ppml-json").option("key", "customers").save(out);
    assertEncrypted(Path.of(out), SECRETS);
    Dataset<Row> read = spark.read().format("ppml-json").load(out)
        .selectExpr("cast(id as int) id", "name", "score", "country");
    assertEquals(expected(), sorted(read));
  }

  @Test
  void textRoundTrip() throws Exception {
    List<String> lines = List.of("Ålice secret line", "", "名前 and 🚀", "customer-17-secret");
    String out = dir.resolve("text").toString();
    spark.createDataset(lines, org.apache.spark.sql.Encoders.STRING()).toDF("value").repartition(2).write()
        .format("ppml-text").option("key", "customers").save(out);
    assertEncrypted(Path.of(out), SECRETS);
    List<String> read = spark.read().format("ppml-text").load(out).as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList();
    assertEquals(lines.stream().sorted().toList(), read.stream().sorted().toList());
  }

  @Test
  void builtInSourcesWithTheCodec() throws Exception {
    for (String format : List.of("csv", "json")) {
      String out = dir.resolve("plain-" + format).toString();
      people().write().format(format).option("compression", PpmlCodec.class.getName())
          .option(PpmlWriteOptions.CONF_KEY, "customers").option("header", "true").save(out);
      assertEncrypted(Path.of(out), SECRETS);
      for (Path file : dataFiles(Path.of(out))) {
        assertTrue(file.getFileName().toString().endsWith("." + format + PpmlCodec.EXTENSION), file.toString());
      }
      Dataset<Row> plainReader = spark.read().format(format).option("header", "true").option("inferSchema", "true")
          .load(out).selectExpr("cast(id as int) id", "name", "score", "country");
      assertEquals(expected(), sorted(plainReader));
      Dataset<Row> ppmlReader = spark.read().format("ppml-" + format).option("header", "true")
          .option("inferSchema", "true").load(out).selectExpr("cast(id as int) id", "name", "score", "country");
      assertEquals(expected(), sorted(ppmlReader));
    }
    String out = dir.resolve("plain-text").toString();
    people().select("name").na().fill("none").write().format("text")
        .option("compression", PpmlCodec.class.getName()).option(PpmlWriteOptions.CONF_KEY, "customers").save(out);
    assertEncrypted(Path.of(out), SECRETS);
    assertEquals(rows.size(), spark.read().text(out).count());
  }

  @Test
  void emptyPartitionsAndEmptyData() throws Exception {
    String out = dir.resolve("one-row").toString();
    spark.createDataFrame(rows.subList(0, 1), SCHEMA).repartition(4).write().format("ppml-csv")
        .option("key", "customers").save(out);
    assertEncrypted(Path.of(out), "Ålice");
    assertEquals(rows.subList(0, 1), sorted(spark.read().format("ppml-csv").schema(SCHEMA).load(out)));

    String empty = dir.resolve("empty").toString();
    spark.createDataFrame(List.of(), SCHEMA).write().format("ppml-json").option("key", "customers").save(empty);
    assertEquals(0, spark.read().format("ppml-json").schema(SCHEMA).load(empty).count());
  }

  @Test
  void javaApi() throws Exception {
    String out = dir.resolve("api").toString();
    PpmlSpark.write(people()).key("customers").option("header", "true").partitionBy("country").csv(out);
    PpmlSpark.write(people()).key("customers").option("header", "true").partitionBy("country").mode("append")
        .csv(out);
    assertEncrypted(Path.of(out), SECRETS);
    Dataset<Row> read = PpmlSpark.read(spark).option("header", "true").option("inferSchema", "true").csv(out);
    assertEquals(2L * rows.size(), read.count());

    String json = dir.resolve("api-json").toString();
    PpmlSpark.write(people()).key("customers").mode(SaveMode.Overwrite).json(json);
    assertEquals(expected(), sorted(PpmlSpark.read(spark).schema(SCHEMA).json(json)));

    String text = dir.resolve("api-text").toString();
    PpmlSpark.write(people().select("country")).key("customers").text(text);
    assertEquals(rows.size(), PpmlSpark.read(spark).text(text).count());

    String parquet = dir.resolve("api-parquet").toString();
    PpmlSpark.write(people()).key("customers").parquet(parquet);
    assertEquals(expected(), sorted(PpmlSpark.read(spark).parquet(parquet)));
  }

  @Test
  void writeWithoutKeyNamesTheOption() {
    Exception e = assertThrows(Exception.class,
        () -> people().write().format("ppml-csv").save(dir.resolve("no-key").toString()));
    assertEquals(PpmlWriteOptions.KEY, causeOf(e, InvalidWriteOptionException.class).option());

    Exception api = assertThrows(Exception.class, () -> PpmlSpark.write(people()).json(dir.resolve("x").toString()));
    assertEquals(PpmlWriteOptions.KEY, causeOf(api, InvalidWriteOptionException.class).option());

    Exception other = assertThrows(Exception.class, () -> people().write().format("ppml-csv")
        .option("key", "customers").option("compression", "gzip").save(dir.resolve("gz").toString()));
    assertEquals("compression", causeOf(other, InvalidWriteOptionException.class).option());
  }

  @Test
  void plainCodecWriteWithoutKeyFailsNamingTheSetting() {
    Exception e = assertThrows(Exception.class, () -> people().write().format("csv")
        .option("compression", PpmlCodec.class.getName()).save(dir.resolve("codec-no-key").toString()));
    io.ppml.core.error.PpmlException cause = causeOf(e, io.ppml.core.error.PpmlException.class);
    assertEquals(io.ppml.core.error.ErrorCode.INVALID_ARGUMENT, cause.code());
    assertTrue(cause.getMessage().contains(PpmlWriteOptions.CONF_KEY));
  }

  @Test
  void unknownKeyFailsNamingIt() {
    Exception e = assertThrows(Exception.class, () -> people().write().format("ppml-csv")
        .option("key", "no-such-key").save(dir.resolve("unknown-key").toString()));
    assertEquals("no-such-key", causeOf(e, UnknownKeyException.class).keyName());
  }

  @Test
  void anotherKmsCannotRead() throws Exception {
    String out = dir.resolve("other-kms").toString();
    people().write().format("ppml-csv").option("key", "customers").save(out);
    Exception e = assertThrows(Exception.class, () -> spark.read().format("ppml-csv").schema(SCHEMA)
        .option(KmsSettings.LOCAL_HOME, dir.resolve("another-home").toString()).load(out).collectAsList());
    assertEquals("customers", causeOf(e, UnknownKeyException.class).keyName());
  }

  @Test
  void unencryptedFilesAreRefused() throws Exception {
    Path plain = dir.resolve("plain-input");
    Files.createDirectories(plain);
    Files.writeString(plain.resolve("part-0.csv"), "1,planted,0.0,XX\n");
    Exception e = assertThrows(Exception.class,
        () -> spark.read().format("ppml-csv").schema(SCHEMA).load(plain.toString()).collectAsList());
    assertTrue(causeOf(e, UnencryptedInputException.class).file().endsWith("part-0.csv"));
    Exception inferred = assertThrows(Exception.class,
        () -> spark.read().format("ppml-csv").option("inferSchema", "true").load(plain.toString()));
    assertTrue(causeOf(inferred, UnencryptedInputException.class).file().endsWith("part-0.csv"));

    // A cached plaintext read of the same files is not taken for the encrypted source's result.
    Dataset<Row> cached = spark.read().schema(SCHEMA).csv(plain.toString()).cache();
    try {
      assertEquals(1, cached.count());
      Exception fromCache = assertThrows(Exception.class,
          () -> spark.read().format("ppml-csv").schema(SCHEMA).load(plain.toString()).collectAsList());
      assertTrue(causeOf(fromCache, UnencryptedInputException.class).file().endsWith("part-0.csv"));
    } finally {
      cached.unpersist();
    }
  }

  @Test
  void damagedSegmentFailsTheJobNamingFileAndSegment() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      lines.add(String.format("row-%06d", i));
    }
    String out = dir.resolve("damaged").toString();
    spark.createDataset(lines, org.apache.spark.sql.Encoders.STRING()).coalesce(1).write().format("ppml-text")
        .option("key", "customers").option("segmentSize", "1024").save(out);
    Path file = dataFiles(Path.of(out)).get(0);
    FileHeader header = SparkTestSupport.header(file);
    long segments = header.segmentCount(Files.size(file));
    long middle = segments / 2;
    assertTrue(segments > 20);
    assertEquals(lines.size(), spark.read().format("ppml-text").load(out).count());

    SparkTestSupport.flipBit(file, header.segmentOffset(middle) + 100);
    Exception collect = assertThrows(Exception.class,
        () -> spark.read().format("ppml-text").load(out).collectAsList());
    IntegrityException integrity = causeOf(collect, IntegrityException.class);
    assertEquals(middle, integrity.segment());
    assertTrue(integrity.file().endsWith(file.getFileName().toString()), integrity.file());
    Exception count = assertThrows(Exception.class, () -> spark.read().format("ppml-text").load(out).count());
    assertEquals(middle, causeOf(count, IntegrityException.class).segment());
  }
}
