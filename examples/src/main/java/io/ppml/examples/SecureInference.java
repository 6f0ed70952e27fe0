package io.ppml.examples;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Loads the encrypted model, scores encrypted per-customer features (the ETL output, or new transactions
 * aggregated by the same ETL) and writes encrypted predictions ({@code ppml-parquet}, key
 * {@link ExampleKeys#RESULTS}): {@code cid} (customer token), {@code segment}, {@code fraud_score},
 * {@code prediction}.
 */
public final class SecureInference {
  public record Result(long inputRows, long predictionRows, long flagged) {}

  private SecureInference() {}

  public static Result run(SparkSession spark, Path modelDir, Path featuresDir, Path outDir, Path scratch)
      throws IOException {
    PipelineModel model = new EncryptedModelStore(ExampleSession.keyService(spark), scratch).load(modelDir);
    Dataset<Row> input = spark.read().format("ppml-parquet").load(featuresDir.toString());
    Dataset<Row> scored = model.transform(input).select(col("cid"), col("segment"),
        functions.vector_to_array(col("probability"), "float64").getItem(1).alias("fraud_score"),
        col("prediction"));
    scored.write().format("ppml-parquet").option("key", ExampleKeys.RESULTS).mode("overwrite")
        .save(outDir.toString());
    Dataset<Row> written = spark.read().format("ppml-parquet").load(outDir.toString());
    return new Result(input.count(), written.count(), written.where("prediction = 1.0").count());
  }

  /** {@code spark-submit --class io.ppml.examples.SecureInference examples.jar MODEL FEATURES OUT SCRATCH}. */
  public static void main(String[] args) throws IOException {
    JobArgs.require(args, 4, "SecureInference MODEL_DIR FEATURES_DIR OUT_DIR SCRATCH_DIR");
    SparkSession spark = ExampleSession.submitted("ppml-secure-inference");
    try {
      Result r = run(spark, Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
      System.out.printf("scored %,d of %,d rows, %,d flagged%n", r.predictionRows(), r.inputRows(), r.flagged());
    } finally {
      spark.stop();
    }
  }
}
