package io.ppml.examples;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Trains a fraud classifier on the encrypted ETL output: segment one-hot encoded, numeric features assembled and
 * standardised, logistic regression. Evaluates the area under the ROC curve on a held-out 20% and saves the model
 * through {@link EncryptedModelStore} (key {@link ExampleKeys#MODELS}).
 */
public final class SecureTraining {
  /** Numeric feature columns of the ETL output used by the model. */
  static final String[] NUMERIC = {"income", "txn_count", "total_amount", "avg_amount", "max_amount",
      "max_amount_to_income", "night_share", "foreign_share", "risky_share"};

  public record Result(long trainRows, long testRows, double auc) {}

  private SecureTraining() {}

  public static Result run(SparkSession spark, Path featuresDir, Path modelDir, Path scratch, long seed)
      throws IOException {
    Dataset<Row> data = spark.read().format("ppml-parquet").load(featuresDir.toString());
    Dataset<Row>[] split = data.randomSplit(new double[] {0.8, 0.2}, seed);
    Dataset<Row> train = split[0].cache();
    Dataset<Row> test = split[1].cache();
    try {
      String[] inputs = new String[NUMERIC.length + 1];
      System.arraycopy(NUMERIC, 0, inputs, 0, NUMERIC.length);
      inputs[NUMERIC.length] = "segment_vec";
      Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
          new StringIndexer().setInputCol("segment").setOutputCol("segment_idx").setHandleInvalid("keep"),
          new OneHotEncoder().setInputCol("segment_idx").setOutputCol("segment_vec"),
          new VectorAssembler().setInputCols(inputs).setOutputCol("raw_features").setHandleInvalid("skip"),
          new StandardScaler().setInputCol("raw_features").setOutputCol("features").setWithMean(true),
          new LogisticRegression().setLabelCol("label").setFeaturesCol("features").setMaxIter(50)
              .setRegParam(0.001)});
      PipelineModel model = pipeline.fit(train);
      double auc = new BinaryClassificationEvaluator().setLabelCol("label").setMetricName("areaUnderROC")
          .evaluate(model.transform(test));
      new EncryptedModelStore(ExampleSession.keyService(spark), scratch).save(model, modelDir, ExampleKeys.MODELS);
      return new Result(train.count(), test.count(), auc);
    } finally {
      train.unpersist();
      test.unpersist();
    }
  }

  /** {@code spark-submit --class io.ppml.examples.SecureTraining examples.jar FEATURES_DIR MODEL_DIR SCRATCH}. */
  public static void main(String[] args) throws IOException {
    JobArgs.require(args, 3, "SecureTraining FEATURES_DIR MODEL_DIR SCRATCH_DIR");
    SparkSession spark = ExampleSession.submitted("ppml-secure-training");
    try {
      Result r = run(spark, Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), 7);
      System.out.printf("train %,d, test %,d, AUC %.4f%n", r.trainRows(), r.testRows(), r.auc());
    } finally {
      spark.stop();
    }
  }
}
