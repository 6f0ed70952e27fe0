package io.ppml.examples;

import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The whole story on one session: generate encrypted inputs, ETL, training, inference, queries. Directory
 * layout under the data directory: {@code input/} (generator), {@code features/}, {@code model/},
 * {@code predictions/}, {@code queries/}, {@code scratch/} (private temporary model copies, empty afterwards).
 */
public final class ProtectedPipeline {
  /** One stage: name, rows it produced, wall time. */
  public record Stage(String name, String rows, long millis) {}

  /** Everything the pipeline measured. */
  public record Report(List<Stage> stages, BankDataGenerator.Result generated, EncryptedEtl.Result etl,
      SecureTraining.Result training, SecureInference.Result inference, Map<String, Long> queries) {}

  private ProtectedPipeline() {}

  /** Creates the keys of {@link ExampleKeys#ALL} that {@code kmsHome}'s LocalKms does not have yet. */
  public static void createLocalKeys(Path kmsHome) throws PpmlException {
    try (LocalKms kms = LocalKms.open(kmsHome)) {
      List<String> existing = kms.listKeys().stream().map(k -> k.name()).toList();
      for (String key : ExampleKeys.ALL) {
        if (!existing.contains(key)) {
          kms.createKey(key);
        }
      }
    }
  }

  public static Path featuresDir(Path dataDir) {
    return dataDir.resolve("features");
  }

  public static Path modelDir(Path dataDir) {
    return dataDir.resolve("model");
  }

  public static Path predictionsDir(Path dataDir) {
    return dataDir.resolve("predictions");
  }

  public static Path queriesDir(Path dataDir) {
    return dataDir.resolve("queries");
  }

  public static Path scratchDir(Path dataDir) {
    return dataDir.resolve("scratch");
  }

  /** Runs every stage into {@code dataDir} with the key service of {@code spark}'s settings. */
  public static Report run(SparkSession spark, Path dataDir, long customers, long transactions, long seed)
      throws IOException {
    List<Stage> stages = new ArrayList<>();
    Path input = dataDir.resolve("input");
    KeyManagementService kms = ExampleSession.keyService(spark);

    long t = System.nanoTime();
    BankDataGenerator.Result gen = BankDataGenerator.generate(
        new BankDataGenerator.Options(input, customers, transactions, seed, false), kms);
    long parquetRows = BankDataGenerator.transactionsToParquet(spark, input);
    stages.add(stage("generate", String.format("%,d customers, %,d transactions", gen.customerRows(), parquetRows),
        t));

    t = System.nanoTime();
    EncryptedEtl.Result etl = EncryptedEtl.run(spark, BankDataGenerator.customersDir(input),
        BankDataGenerator.transactionsDir(input), featuresDir(dataDir));
    stages.add(stage("etl", String.format("%,d clean customers -> %,d feature rows", etl.customersKept(),
        etl.featureRows()), t));

    t = System.nanoTime();
    SecureTraining.Result training = SecureTraining.run(spark, featuresDir(dataDir), modelDir(dataDir),
        scratchDir(dataDir), seed);
    stages.add(stage("training", String.format("%,d train / %,d test rows, AUC %.4f", training.trainRows(),
        training.testRows(), training.auc()), t));

    t = System.nanoTime();
    SecureInference.Result inference = SecureInference.run(spark, modelDir(dataDir), featuresDir(dataDir),
        predictionsDir(dataDir), scratchDir(dataDir));
    stages.add(stage("inference", String.format("%,d rows scored, %,d flagged", inference.predictionRows(),
        inference.flagged()), t));

    t = System.nanoTime();
    Map<String, Long> queries = TpchStyleQueries.run(spark, BankDataGenerator.customersDir(input),
        BankDataGenerator.transactionsDir(input), featuresDir(dataDir), queriesDir(dataDir));
    stages.add(stage("queries", String.format("%d queries, %,d result rows", queries.size(),
        queries.values().stream().mapToLong(Long::longValue).sum()), t));
    return new Report(List.copyOf(stages), gen, etl, training, inference, queries);
  }

  private static Stage stage(String name, String rows, long startNanos) {
    return new Stage(name, rows, (System.nanoTime() - startNanos) / 1_000_000);
  }

  /** Total size of the regular files under {@code dir}. */
  public static long sizeOf(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
