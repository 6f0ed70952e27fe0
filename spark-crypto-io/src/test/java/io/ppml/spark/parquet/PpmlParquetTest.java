package io.ppml.spark.parquet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.parquet.crypto.ParquetCryptoRuntimeException;
import org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory;
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

class PpmlParquetTest {
  private static final String MARKER = "plaintext-marker-";

  @TempDir static Path dir;
  private static Path home;
  private static Path homeWithoutK2;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    home = dir.resolve("kms");
    homeWithoutK2 = dir.resolve("kms-without-k2");
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("k1");
    }
    // A second key service that holds k1 (same store) but has never heard of k2.
    copyTree(home, homeWithoutK2);
    try (LocalKms kms = LocalKms.open(home)) {
      kms.createKey("k2");
    }
    spark = SparkSession.builder().master("local[2]").appName("ppml-parquet-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
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
    StructType schema = new StructType().add("c1", DataTypes.IntegerType).add("c2", DataTypes.StringType)
        .add("c3", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(RowFactory.create(i, "name-" + i, MARKER + i));
    }
    return spark.createDataFrame(rows, schema);
  }

  @Test
  void uniformKeyEncryptsFooterAndEveryColumn() throws IOException {
    String out = dir.resolve("uniform").toString();
    sample().write().format("ppml-parquet").option("key", "k1").save(out);

    for (Path part : parts(out)) {
      byte[] bytes = Files.readAllBytes(part);
      assertEquals("PARE", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
      assertEquals("PARE", new String(bytes, bytes.length - 4, 4, StandardCharsets.US_ASCII));
      assertFalse(contains(bytes, MARKER.getBytes(StandardCharsets.UTF_8)), "plaintext value found in " + part);
      assertFalse(contains(bytes, "name-1".getBytes(StandardCharsets.UTF_8)), "plaintext value found in " + part);
    }
    Dataset<Row> back = spark.read().format("ppml-parquet").load(out);
    assertEquals(sample().schema(), back.schema());
    assertEquals(sorted(sample()), sorted(back));
  }

  @Test
  void readsAgainAfterTheKeyServicesWereClosedAndReopened() throws Exception {
    String out = dir.resolve("reopened").toString();
    sample().write().format("ppml-parquet").option("key", "k1").save(out);
    assertEquals(500, spark.read().format("ppml-parquet").load(out).count());
    // Parquet keeps its KmsClient for the JVM's life; the key services behind it come and go with sessions.
    ExecutorKms.closeAll();
    assertEquals(sorted(sample()), sorted(spark.read().format("ppml-parquet").load(out)));
  }

  @Test
  void plainParquetReaderWithoutKeyServiceFails() {
    String out = dir.resolve("no-kms").toString();
    sample().write().format("ppml-parquet").option("key", "k1").save(out);

    Exception e = assertThrows(Exception.class, () -> spark.read().parquet(out).collectAsList());
    assertTrue(hasCause(e, ParquetCryptoRuntimeException.class), () -> "unexpected failure: " + e);
  }

  @Test
  void plaintextFooterOptionWritesPar1AndKeepsColumnsEncrypted() throws IOException {
    String out = dir.resolve("plain-footer").toString();
    sample().write().format("ppml-parquet").option("key", "k1").option("plaintextFooter", "true").save(out);

    for (Path part : parts(out)) {
      byte[] bytes = Files.readAllBytes(part);
      assertEquals("PAR1", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
      assertFalse(contains(bytes, MARKER.getBytes(StandardCharsets.UTF_8)));
    }
    assertEquals(sorted(sample()), sorted(spark.read().format("ppml-parquet").load(out)));
    // The schema is readable without keys; the column data is not.
    Exception e = assertThrows(Exception.class, () -> spark.read().parquet(out).select("c3").collectAsList());
    assertTrue(hasCause(e, ParquetCryptoRuntimeException.class), () -> "unexpected failure: " + e);
  }

  @Test
  void plainParquetWithHadoopSettingsReadsAndWritesTheSameFiles() {
    String byPpml = dir.resolve("by-ppml").toString();
    sample().write().format("ppml-parquet").option("key", "k1").save(byPpml);
    Dataset<Row> read = spark.read()
        .option("parquet.crypto.factory.class", PropertiesDrivenCryptoFactory.class.getName())
        .option("parquet.encryption.kms.client.class", PpmlKmsClient.class.getName())
        .parquet(byPpml);
    assertEquals(sorted(sample()), sorted(read));

    String byPlain = dir.resolve("by-plain").toString();
    sample().write()
        .option("parquet.crypto.factory.class", PropertiesDrivenCryptoFactory.class.getName())
        .option("parquet.encryption.kms.client.class", PpmlKmsClient.class.getName())
        .option("parquet.encryption.footer.key", "k1")
        .option("parquet.encryption.column.keys", "k2:c3")
        .parquet(byPlain);
    assertEquals(sorted(sample()), sorted(spark.read().format("ppml-parquet").load(byPlain)));
  }

  @Test
  void columnKeyIsNeededOnlyForItsColumns() throws IOException {
    String out = dir.resolve("column-keys").toString();
    sample().write().format("ppml-parquet").option("key", "k1").option("columnKeys", "k2:c3").save(out);
    for (Path part : parts(out)) {
      assertFalse(contains(Files.readAllBytes(part), MARKER.getBytes(StandardCharsets.UTF_8)));
    }
    Dataset<Row> withoutK2 = spark.read().format("ppml-parquet")
        .option(KmsSettings.LOCAL_HOME, homeWithoutK2.toString()).load(out);

    assertEquals(500, withoutK2.select("c1", "c2").collectAsList().size());
    Exception e = assertThrows(Exception.class, () -> withoutK2.select("c3").collectAsList());
    UnknownKeyException unknown = cause(e, UnknownKeyException.class);
    assertEquals("k2", unknown.keyName());

    assertEquals(sorted(sample()), sorted(spark.read().format("ppml-parquet").load(out)));
  }

  @Test
  void writingWithoutKeyNamesTheOption() {
    String out = dir.resolve("no-key").toString();
    Exception e = assertThrows(Exception.class, () -> sample().write().format("ppml-parquet").save(out));
    assertEquals(ParquetEncryptionOptions.KEY, cause(e, InvalidOptionException.class).option());
  }

  @Test
  void unknownAlgorithmIsRejected() {
    String out = dir.resolve("bad-algorithm").toString();
    Exception e = assertThrows(Exception.class, () -> sample().write().format("ppml-parquet")
        .option("key", "k1").option("algorithm", "AES_CBC").save(out));
    assertEquals(ParquetEncryptionOptions.ALGORITHM, cause(e, InvalidOptionException.class).option());
  }

  @Test
  void tamperedFileFailsToRead() throws IOException {
    String out = dir.resolve("tampered").toString();
    sample().coalesce(1).write().format("ppml-parquet").option("key", "k1").save(out);
    Path part = parts(out).get(0);
    byte[] bytes = Files.readAllBytes(part);
    bytes[bytes.length / 3] ^= 0x01; // inside the column chunks
    Files.write(part, bytes);
    // An attacker who can change the file can change its checksum too; let Parquet's own check decide.
    Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc"));

    Exception e = assertThrows(Exception.class,
        () -> spark.read().format("ppml-parquet").load(out).collectAsList());
    assertTrue(hasCause(e, ParquetCryptoRuntimeException.class), () -> "unexpected failure: " + e);
  }

  static List<Path> parts(String out) throws IOException {
    try (Stream<Path> s = Files.list(Path.of(out))) {
      List<Path> parts = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
      assertFalse(parts.isEmpty(), "no parquet files in " + out);
      return parts;
    }
  }

  static List<String> sorted(Dataset<Row> df) {
    return df.collectAsList().stream().map(Row::toString).sorted().toList();
  }

  static boolean contains(byte[] haystack, byte[] needle) {
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

  static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  static <T extends Throwable> T cause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " in the cause chain of " + t, t);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
