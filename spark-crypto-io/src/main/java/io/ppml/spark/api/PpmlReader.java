package io.ppml.spark.api;

import java.util.Map;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** Reads encrypted CSV, JSON, text and Parquet; every option of Spark's own readers passes through. */
public final class PpmlReader {
  private final DataFrameReader reader;

  PpmlReader(DataFrameReader reader) {
    this.reader = reader;
  }

  public PpmlReader option(String key, String value) {
    reader.option(key, value);
    return this;
  }

  public PpmlReader options(Map<String, String> options) {
    reader.options(options);
    return this;
  }

  public PpmlReader schema(StructType schema) {
    reader.schema(schema);
    return this;
  }

  public PpmlReader schema(String ddl) {
    reader.schema(ddl);
    return this;
  }

  public Dataset<Row> csv(String... paths) {
    return reader.format("ppml-csv").load(paths);
  }

  public Dataset<Row> json(String... paths) {
    return reader.format("ppml-json").load(paths);
  }

  /** One string column {@code value} per line, as Spark's text source. */
  public Dataset<Row> text(String... paths) {
    return reader.format("ppml-text").load(paths);
  }

  public Dataset<Row> parquet(String... paths) {
    return reader.format("ppml-parquet").load(paths);
  }
}
