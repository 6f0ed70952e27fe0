package io.ppml.examples.notebooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentedAeadReader;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.examples.BankDataGenerator;
import io.ppml.examples.CanaryScan;
import io.ppml.examples.ExampleKeys;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsConfig;
import io.ppml.kbs.server.KbsServer;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every paragraph of every Zeppelin note in {@code examples/notebooks}, in file name order (each note
 * continues from the previous one's output), against the development key broker started in this JVM: keys are
 * released only after each JVM attests with the broker's simulated TDX platform. Then checks what each note
 * wrote and showed.
 *
 * <p>What the test substitutes (everything else runs as written in the notes): the note forms
 * ({@link #formValues}: directories under a temporary directory, the broker's URL and CA, a small input), and
 * the cluster settings of {@link LocalCluster} (a {@code local[2]} master, no agent, plugin or Kubernetes
 * settings, and {@code spark.ppml.tee=simulated}).
 */
class NotebookParagraphsTest {
  private static final Path NOTEBOOKS = Path.of(System.getProperty("basedir", ".")).resolve("notebooks");
  private static final int CUSTOMERS = 1_000;
  private static final int TRANSACTIONS = 10_000;
  /** Measured at this size: 0.83 (generator seed 42, split seed 7); the floor leaves room for a ~200-row test set. */
  private static final double AUC_FLOOR = 0.7;
  private static final List<String> SEGMENTS = List.of("business", "premium", "retail", "student");
  private static final Pattern AUC = Pattern.compile("AUC on the held-out 20%: (\\d+\\.\\d+)");

  @TempDir static Path work;
  private static KbsServer kbs;
  private static Path kbsState;
  private static NoteRunner runner;
  private static final Map<String, NoteRun> runs = new LinkedHashMap<>();

  @BeforeAll
  static void runEveryNote() throws Exception {
    kbsState = work.resolve("kbs");
    KbsConfig config = DevKbs.prepare(kbsState, 0, Clock.systemUTC());
    kbs = KbsServer.start(config);
    // What the tenant's administrator does before anyone runs the notes.
    try (KbsClient admin = KbsClient.builder().url(kbs.url()).caPem(kbsState.resolve(DevKbs.CA))
        .admin(AdminCredential.load(DevKbs.ADMIN_NAME, kbsState.resolve(DevKbs.ADMIN_KEY))).build()) {
      for (String key : ExampleKeys.ALL) {
        admin.createKey(key);
      }
    }
    runner = new NoteRunner(formValues(), sparkOverrides(), work.resolve("repl-classes"));
    for (Path file : noteFiles()) {
      ZeppelinNote note = ZeppelinNote.load(file);
      runs.put(note.name(), runner.run(note));
    }
  }

  @AfterAll
  static void stopBroker() throws IOException {
    if (runner != null) {
      runner.close();
    }
    ExecutorKms.closeAll();
    if (kbs != null) {
      kbs.close();
    }
  }

  /** A value for every form of the notes; the names and meanings are documented in note 01 and docs/zeppelin.md. */
  private static Map<String, String> formValues() {
    return Map.of("data_dir", data().toString(), "scratch_dir", scratch().toString(),
        "kbs_url", kbs.url().toString(), "kbs_ca", kbsState.resolve(DevKbs.CA).toString(),
        "customers", Integer.toString(CUSTOMERS), "transactions", Integer.toString(TRANSACTIONS));
  }

  private static Map<String, String> sparkOverrides() throws IOException {
    return Map.of("spark.master", "local[2]",
        "spark.local.dir", Files.createDirectories(work.resolve("spark-local")).toString(),
        "spark.sql.warehouse.dir", work.resolve("spark-warehouse").toUri().toString(),
        "spark.driver.host", "127.0.0.1",
        "spark.sql.shuffle.partitions", "4",
        "spark.ui.showConsoleProgress", "false",
        "spark.log.level", "WARN",
        KbsClientConfig.TEE, KbsClientConfig.TEE_SIMULATED,
        KbsClientConfig.SIMULATED_STATE, kbsState.resolve(DevKbs.SIMULATED).toString());
  }

  private static List<Path> noteFiles() throws IOException {
    try (Stream<Path> s = Files.list(NOTEBOOKS)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".zpln")).sorted().toList();
    }
  }

  private static Path data() {
    return work.resolve("data");
  }

  private static Path scratch() {
    return work.resolve("scratch");
  }

  private static NoteRun run(String noteName) {
    NoteRun run = runs.get(noteName);
    assertTrue(run != null, "note not run: " + noteName + " (run: " + runs.keySet() + ")");
    return run;
  }

  @Test
  void everyNoteInTheDirectoryRanInOrder() throws IOException {
    assertEquals(List.of("01 Encrypted ETL", "02 Secure training", "03 Secure inference"),
        List.copyOf(runs.keySet()));
    assertEquals(noteFiles().size(), runs.size());
  }

  @Test
  void settingsParagraphsConfigureTheAttestedClusterAndTheBrokerComesFromTheForms() {
    for (NoteRun run : runs.values()) {
      Properties conf = run.conf();
      String note = run.note().name();
      assertEquals("kbs", conf.getProperty(KmsSettings.TYPE), note);
      assertEquals("tdx", conf.getProperty(KbsClientConfig.TEE), note);
      assertEquals("io.ppml.spark.plugin.PpmlSparkPlugin", conf.getProperty("spark.plugins"), note);
      assertEquals("-javaagent:/opt/ppml/jars/ppml-agent.jar", conf.getProperty("spark.driver.extraJavaOptions"),
          note);
      assertEquals("true", conf.getProperty("spark.io.encryption.enabled"), note);
      assertEquals("false", conf.getProperty("spark.ui.enabled"), note);
      assertEquals("false", conf.getProperty("spark.eventLog.enabled"), note);
      assertEquals("io.ppml.spark.sql.PpmlSqlExtensions", conf.getProperty("spark.sql.extensions"), note);
      // The broker's location is a note form: the test's broker replaced the cluster default.
      assertEquals(kbs.url().toString(), conf.getProperty(KbsClientConfig.URL), note);
      assertEquals(kbs.url().toString(), conf.getProperty("PPML_KBS_URL"), note);
      assertEquals(kbsState.resolve(DevKbs.CA).toString(), conf.getProperty(KbsClientConfig.CA), note);
    }
  }

  @Test
  void etlNoteWritesEncryptedFeaturesForEveryCleanCustomer() throws IOException {
    NoteRun etl = run("01 Encrypted ETL");
    Row cleaning = etl.sqlResult("Cleaned and tokenised views").get(0);
    long kept = cleaning.getLong(0);
    assertTrue(kept > CUSTOMERS * 0.97 && kept < CUSTOMERS, "customers kept: " + kept);
    assertEquals(kept, cleaning.getLong(1), "one token per customer");
    assertEquals(7, cleaning.getLong(2), "countries after normalisation");

    List<Row> segments = etl.lastSqlResult();
    assertEquals(SEGMENTS, segments.stream().map(r -> r.getString(0)).toList());
    assertEquals(kept, segments.stream().mapToLong(r -> r.getLong(1)).sum());

    Path features = data().resolve("features");
    List<Path> parquet = files(features, ".parquet");
    assertFalse(parquet.isEmpty());
    for (Path file : parquet) {
      assertTrue(file.getParent().getFileName().toString().startsWith("segment="), file.toString());
      assertParquetModularEncryption(file);
    }
    assertEquals("customers", header(data().resolve("input/customers/part-00000.csv.ppml")).keyName());
    for (Path file : files(data().resolve("input/transactions"), ".parquet")) {
      assertParquetModularEncryption(file);
    }
  }

  @Test
  void trainingNoteStoresOneEncryptedModelVersionAndReportsItsAuc() throws IOException {
    NoteRun training = run("02 Secure training");
    String fit = training.outputs().get(training.indexOf("Fit the pipeline"));
    Matcher auc = AUC.matcher(fit);
    assertTrue(auc.find(), fit);
    assertTrue(Double.parseDouble(auc.group(1)) > AUC_FLOOR, auc.group());

    List<Path> versions;
    try (Stream<Path> s = Files.list(data().resolve("models"))) {
      versions = s.toList();
    }
    assertEquals(1, versions.size(), versions.toString());
    List<Path> modelFiles = files(versions.get(0), "");
    assertTrue(modelFiles.size() >= 6, modelFiles.toString());
    for (Path file : modelFiles) {
      assertTrue(file.getFileName().toString().endsWith(".ppml"), file.toString());
      assertEquals(ExampleKeys.MODELS, header(file).keyName(), file.toString());
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertFalse(bytes.contains("org.apache.spark.ml") || bytes.contains("PAR1"), file.toString());
    }
    try (Stream<Path> s = Files.list(scratch())) {
      assertEquals(List.of(), s.toList(), "plaintext model copies left in scratch");
    }
  }

  @Test
  void inferenceNoteScoresEveryCustomerAndItsTokensResolveInsideSpark() throws IOException {
    long kept = run("01 Encrypted ETL").sqlResult("Cleaned and tokenised views").get(0).getLong(0);
    NoteRun inference = run("03 Secure inference");
    Row tokens = inference.sqlResult("Tokens resolve inside Spark").get(0);
    assertEquals(kept, tokens.getLong(0));
    assertEquals(kept, tokens.getLong(1), "tokens that decrypt to a customer id");

    List<Row> segments = inference.lastSqlResult();
    assertEquals(SEGMENTS, segments.stream().map(r -> r.getString(0)).toList());
    assertEquals(kept, segments.stream().mapToLong(r -> r.getLong(1)).sum());
    for (Row segment : segments) {
      double meanScore = segment.getDouble(3);
      assertTrue(segment.getLong(2) <= segment.getLong(1) && meanScore > 0 && meanScore < 1, segment.toString());
    }
    for (Path file : files(data().resolve("predictions"), ".parquet")) {
      assertParquetModularEncryption(file);
    }
  }

  @Test
  void noPlaintextInAnyFileTheNotesOrSparkWroteNorInWhatTheyShowed() throws IOException {
    CanaryScan.Report scan = new CanaryScan(BankDataGenerator.CANARY).scan(work);
    assertTrue(scan.files() > 30, "files scanned: " + scan.files());
    assertEquals(List.of(), scan.hits());
    for (NoteRun run : runs.values()) {
      run.outputs().forEach((index, output) -> assertFalse(output.contains(BankDataGenerator.CANARY),
          run.note().name() + " paragraph " + index + " shows plaintext PII"));
    }
    // The marker really went through the notes: the encrypted input holds it.
    assertTrue(decryptedInputContains(BankDataGenerator.CANARY));
  }

  @Test
  void aFailingSqlParagraphStopsTheNoteAndIsReportedWithItsIndex() throws IOException {
    Path note = brokenNote("broken-sql", "%spark.sql\nSELECT 1 AS one", "%spark.sql\nSELECT * FROM no_such_view",
        "%spark\nprintln(\"not reached\")");
    ParagraphFailedException e = assertThrows(ParagraphFailedException.class,
        () -> runner.run(ZeppelinNote.load(note)));
    assertEquals("broken-sql", e.note());
    assertEquals(3, e.paragraphIndex());
    assertEquals("TABLE_OR_VIEW_NOT_FOUND", assertInstanceOf(AnalysisException.class, e.getCause()).getCondition());
  }

  @Test
  void aScalaParagraphThatDoesNotCompileIsReportedWithItsIndexAndTheCompilerError() throws IOException {
    Path note = brokenNote("broken-scala", "%spark\nval rows = spark.range(3).count", "%spark\nval n: Int = \"three\"");
    ParagraphFailedException e = assertThrows(ParagraphFailedException.class,
        () -> runner.run(ZeppelinNote.load(note)));
    assertEquals(3, e.paragraphIndex());
    assertTrue(e.getMessage().contains("type mismatch"), e.getMessage());
  }

  @Test
  void aFormWithoutATestValueIsReportedBeforeSparkStarts() throws IOException {
    Path note = brokenNote("unknown-form", "%spark.sql\nSELECT '$${region=eu}' AS region");
    ParagraphFailedException e = assertThrows(ParagraphFailedException.class,
        () -> runner.run(ZeppelinNote.load(note)));
    assertEquals(2, e.paragraphIndex());
    assertTrue(e.getMessage().contains("'region'"), e.getMessage());
  }

  /** A note file of a Markdown paragraph, a settings paragraph, then {@code paragraphs}. */
  private static Path brokenNote(String name, String... paragraphs) throws IOException {
    List<Map<String, String>> texts = new ArrayList<>(List.of(Map.of("text", "%md\nA note that must fail."),
        Map.of("text", "%spark.conf\nspark.sql.shuffle.partitions 2")));
    for (String paragraph : paragraphs) {
      texts.add(Map.of("text", paragraph));
    }
    String id = name.toUpperCase(Locale.ROOT).replace('-', '_');
    Path file = Files.createDirectories(work.resolve("broken")).resolve(name + "_" + id + ".zpln");
    new ObjectMapper().writeValue(file.toFile(), Map.of("name", name, "id", id, "paragraphs", texts));
    return file;
  }

  private static List<Path> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
          .filter(p -> !p.getFileName().toString().endsWith(".crc")).sorted().toList();
    }
  }

  /** Parquet Modular Encryption with an encrypted footer: the file starts and ends with {@code PARE}. */
  private static void assertParquetModularEncryption(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String head = new String(bytes, 0, 4, StandardCharsets.US_ASCII);
    String tail = new String(bytes, bytes.length - 4, 4, StandardCharsets.US_ASCII);
    assertEquals("PAREPARE", head + tail, file.toString());
  }

  private static FileHeader header(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return FileHeader.read(in, file.toString());
    }
  }

  private static boolean decryptedInputContains(String marker) throws IOException {
    KeyManagementService kms = ExecutorKms.forSettings(KmsSettings.fromMap(Map.of(
        KmsSettings.TYPE, KmsSettings.TYPE_KBS, KbsClientConfig.URL, kbs.url().toString(),
        KbsClientConfig.CA, kbsState.resolve(DevKbs.CA).toString(), KbsClientConfig.TEE, KbsClientConfig.TEE_SIMULATED,
        KbsClientConfig.SIMULATED_STATE, kbsState.resolve(DevKbs.SIMULATED).toString())));
    Path input = data().resolve("input/customers/part-00000.csv.ppml");
    try (InputStream in = SegmentedAeadReader.open(Files.newInputStream(input), kms, input.toString())) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).contains(marker);
    }
  }
}
