package io.ppml.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import io.ppml.spark.kms.ExecutorKms;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline at a small size on one shared local[2] session. */
class ProtectedPipelineTest {
  /** Measured AUC at this size is 0.89 (seed 42, 357 test rows); the floor leaves a margin for that small test set. */
  private static final double AUC_FLOOR = 0.75;
  private static final long CUSTOMERS = 2_000;
  private static final long TRANSACTIONS = 20_000;

  @TempDir static Path work;
  private static SparkSession spark;
  private static ProtectedPipeline.Report report;
  private static Path data;

  @BeforeAll
  static void runPipeline() throws IOException {
    Path home = work.resolve("kms");
    ProtectedPipeline.createLocalKeys(home);
    spark = ExampleSession.confined(work, home);
    data = work.resolve("data");
    report = ProtectedPipeline.run(spark, data, CUSTOMERS, TRANSACTIONS, 42);
  }

  @AfterAll
  static void stop() throws IOException {
    if (spark != null) {
      spark.stop();
    }
    ExecutorKms.closeAll();
  }

  @Test
  void modelLearnsTheFraudSignal() {
    assertTrue(report.training().auc() > AUC_FLOOR, "AUC " + report.training().auc());
    assertEquals(report.etl().featureRows(), report.training().trainRows() + report.training().testRows());
  }

  @Test
  void etlDropsMalformedRowsAndKeepsEveryCleanCustomer() {
    // The generator makes about 0.5% of customer rows malformed; every other customer has transactions.
    assertTrue(report.etl().customersKept() < CUSTOMERS, "kept " + report.etl().customersKept());
    assertTrue(report.etl().customersKept() > CUSTOMERS * 0.98, "kept " + report.etl().customersKept());
    assertEquals(report.etl().customersKept(), report.etl().featureRows());
    assertEquals(TRANSACTIONS, report.etl().transactionsRead());
    // Countries are normalised to ISO codes.
    List<String> countries = spark.read().format("ppml-parquet").load(ProtectedPipeline.featuresDir(data).toString())
        .select("country").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertTrue(countries.stream().allMatch(c -> c.matches("[A-Z]{2}")), countries.toString());
  }

  @Test
  void inferenceScoresEveryInputRow() {
    assertEquals(report.inference().inputRows(), report.inference().predictionRows());
    assertEquals(report.etl().featureRows(), report.inference().inputRows());
    assertEquals(TpchStyleQueries.QUERIES.keySet(), report.queries().keySet());
    assertEquals(10, report.queries().get("q3_top_customers"));
  }

  @Test
  void noCanaryInAnyOutputModelOrSparkLocalDir() throws IOException {
    // The work directory holds the outputs, the model, the scratch dir and Spark's local dir (shuffle files).
    CanaryScan.Report scan = new CanaryScan(BankDataGenerator.CANARY).scan(work);
    assertTrue(scan.files() > 20, "files scanned: " + scan.files());
    assertEquals(List.of(), scan.hits());
    // The canaries were really in the data: the generator's plaintext copy has them.
    Path plain = work.resolve("plain-check");
    BankDataGenerator.generate(new BankDataGenerator.Options(plain, 600, 10, 42, true),
        ExampleSession.keyService(spark));
    List<CanaryScan.Hit> hits = new CanaryScan(BankDataGenerator.CANARY).scan(plain).hits();
    assertEquals(List.of(plain.resolve("plain").resolve("customers.csv")), hits.stream().map(h -> h.file()).toList());
    EncryptedModelStore.deleteTree(plain);
  }

  @Test
  void generatorIsDeterministicAndItsEncryptedFileHoldsThePlaintextCopy() throws IOException {
    var kms = ExampleSession.keyService(spark);
    Path a = work.resolve("gen-a");
    Path b = work.resolve("gen-b");
    BankDataGenerator.Result ra = BankDataGenerator.generate(new BankDataGenerator.Options(a, 300, 3000, 7, true), kms);
    BankDataGenerator.generate(new BankDataGenerator.Options(b, 300, 3000, 7, true), kms);
    for (String table : List.of("customers", "transactions")) {
      assertEquals(-1, Files.mismatch(a.resolve("plain").resolve(table + ".csv"),
          b.resolve("plain").resolve(table + ".csv")), table);
    }
    Path encrypted = BankDataGenerator.customersDir(a).resolve("part-00000.csv.ppml");
    byte[] decrypted;
    try (var in = io.ppml.core.format.SegmentedAeadReader.open(Files.newInputStream(encrypted), kms,
        encrypted.toString())) {
      decrypted = in.readAllBytes();
    }
    byte[] plainCopy = Files.readAllBytes(a.resolve("plain").resolve("customers.csv"));
    assertEquals(-1, java.util.Arrays.mismatch(plainCopy, decrypted));
    assertEquals(1 + 300, Files.readAllLines(a.resolve("plain").resolve("customers.csv")).size());
    assertEquals(1 + 3000, Files.readAllLines(a.resolve("plain").resolve("transactions.csv")).size());
    assertEquals(ra.plaintextBytes(), plainCopy.length
        + Files.size(a.resolve("plain").resolve("transactions.csv")));
    EncryptedModelStore.deleteTree(a);
    EncryptedModelStore.deleteTree(b);
  }

  @Test
  void identifiersAreDeterministicTokensThatDecryptInsideSpark() {
    var features = spark.read().format("ppml-parquet").load(ProtectedPipeline.featuresDir(data).toString());
    assertEquals("binary", features.schema().apply("cid").dataType().typeName());
    long wellFormed = features.selectExpr("ppml_decrypt(cid, 'string') AS id").where("id RLIKE '^C[0-9]{8}$'")
        .count();
    assertEquals(report.etl().featureRows(), wellFormed);
    assertEquals(report.etl().featureRows(), features.select("cid").distinct().count());
  }

  @Test
  void modelDirectoryHoldsOnlyEncryptedFiles() throws IOException {
    Path model = ProtectedPipeline.modelDir(data);
    List<Path> files;
    try (Stream<Path> s = Files.walk(model)) {
      files = s.filter(Files::isRegularFile).toList();
    }
    assertTrue(files.size() >= 6, files.toString());
    for (Path f : files) {
      assertTrue(f.getFileName().toString().endsWith(".ppml"), f.toString());
      String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertFalse(text.contains("org.apache.spark.ml"), f.toString());
      assertFalse(text.contains("PAR1"), f.toString());
    }
    try (Stream<Path> s = Files.list(ProtectedPipeline.scratchDir(data))) {
      assertEquals(0, s.count(), "plaintext model copies left in scratch");
    }
  }

  @Test
  void tamperedModelIsRefusedNamingTheFile() throws IOException {
    Path copy = work.resolve("model-tampered");
    try (Stream<Path> s = Files.walk(ProtectedPipeline.modelDir(data))) {
      for (Path p : s.toList()) {
        Path to = copy.resolve(ProtectedPipeline.modelDir(data).relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Path victim;
    try (Stream<Path> s = Files.walk(copy)) {
      victim = s.filter(p -> p.toString().contains("metadata") && p.toString().endsWith(".ppml")
          && !p.getFileName().toString().startsWith("_")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(victim);
    bytes[bytes.length - 20] ^= 1;
    Files.write(victim, bytes);
    EncryptedModelStore store = new EncryptedModelStore(ExampleSession.keyService(spark),
        ProtectedPipeline.scratchDir(data));
    IntegrityException e = assertThrows(IntegrityException.class, () -> store.load(copy));
    assertEquals(ErrorCode.INTEGRITY_FAILURE, e.code());
    assertEquals(victim.toString(), e.file());
    try (Stream<Path> s = Files.list(ProtectedPipeline.scratchDir(data))) {
      assertEquals(0, s.count(), "plaintext left in scratch after a failed load");
    }
  }

  @Test
  void plaintextFileInModelDirectoryIsRefused() throws IOException {
    Path dir = work.resolve("model-with-plaintext");
    Files.createDirectories(dir.resolve("metadata"));
    Files.writeString(dir.resolve("metadata").resolve("part-00000"), "{\"class\":\"x\"}");
    EncryptedModelStore store = new EncryptedModelStore(ExampleSession.keyService(spark),
        ProtectedPipeline.scratchDir(data));
    assertThrows(IOException.class, () -> store.load(dir));
  }
}
