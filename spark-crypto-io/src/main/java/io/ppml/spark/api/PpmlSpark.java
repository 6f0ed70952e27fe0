package io.ppml.spark.api;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Entry point of the Java API for encrypted files: a thin layer over the {@code ppml-csv}, {@code ppml-json},
 * {@code ppml-text} and {@code ppml-parquet} data sources; everything it does can be written with
 * {@code spark.read().format("ppml-csv")...} and {@code df.write().format("ppml-csv").option("key", ...)}.
 *
 * <pre>{@code
 * Dataset<Row> people = PpmlSpark.read(spark).option("header", "true").csv("/data/people");
 * PpmlSpark.write(people).key("customers").partitionBy("country").mode("append").csv("/data/out");
 * }</pre>
 */
public final class PpmlSpark {
  private PpmlSpark() {}

  /** Reads encrypted files; no key option is needed (each file names its key). */
  public static PpmlReader read(SparkSession spark) {
    return new PpmlReader(spark.read());
  }

  /** Writes {@code data} as encrypted files; {@link PpmlWriter#key(String)} is required. */
  public static PpmlWriter write(Dataset<Row> data) {
    return new PpmlWriter(data.write());
  }
}
