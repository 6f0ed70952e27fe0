package io.ppml.spark.api;

import io.ppml.spark.codec.PpmlWriteOptions;
import java.util.Map;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

/**
 * Writes encrypted CSV, JSON, text and Parquet. {@link #key(String)} names the primary key that wraps each
 * file's data key; without it the write fails naming {@code option("key", ...)}. Every option of Spark's own
 * writers passes through.
 */
public final class PpmlWriter {
  private final DataFrameWriter<Row> writer;

  PpmlWriter(DataFrameWriter<Row> writer) {
    this.writer = writer;
  }

  /** The primary key name: the same as {@code option("key", keyName)}. */
  public PpmlWriter key(String keyName) {
    writer.option(PpmlWriteOptions.KEY, keyName);
    return this;
  }

  public PpmlWriter option(String key, String value) {
    writer.option(key, value);
    return this;
  }

  public PpmlWriter options(Map<String, String> options) {
    writer.options(options);
    return this;
  }

  public PpmlWriter mode(SaveMode mode) {
    writer.mode(mode);
    return this;
  }

  /** {@code "error"}, {@code "append"}, {@code "overwrite"} or {@code "ignore"}, as Spark's writer. */
  public PpmlWriter mode(String mode) {
    writer.mode(mode);
    return this;
  }

  public PpmlWriter partitionBy(String... columns) {
    writer.partitionBy(columns);
    return this;
  }

  public void csv(String path) {
    writer.format("ppml-csv").save(path);
  }

  public void json(String path) {
    writer.format("ppml-json").save(path);
  }

  public void text(String path) {
    writer.format("ppml-text").save(path);
  }

  public void parquet(String path) {
    writer.format("ppml-parquet").save(path);
  }
}
