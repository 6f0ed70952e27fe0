package io.ppml.spark.source;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.mapreduce.Job;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.json.JsonFileFormat;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;
import scala.Function1;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.immutable.Map;
import scala.collection.immutable.Seq;

/**
 * Data source {@value #SHORT_NAME}: Spark's json source over encrypted {@code .ppml} files. Every option of
 * Spark's json source works; writing also needs {@code option("key", <primary key name>)} and may set
 * {@code option("segmentSize", <bytes>)}. Reading needs no key option and refuses files that are not encrypted.
 */
public final class PpmlJsonFileFormat extends JsonFileFormat {
  private static final long serialVersionUID = 1L;
  public static final String SHORT_NAME = "ppml-json";

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public String toString() {
    return SHORT_NAME;
  }

  /**
   * Equal only to itself, never to Spark's source (whose case-class equality would otherwise hold), so that a
   * plan reading plaintext files is never taken for one reading encrypted files (cached data, reused scans).
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof PpmlJsonFileFormat;
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof PpmlJsonFileFormat;
  }

  @Override
  public int hashCode() {
    return SHORT_NAME.hashCode();
  }

  /** Spark's case-class copy would return Spark's plaintext source. */
  @Override
  public PpmlJsonFileFormat copy() {
    return new PpmlJsonFileFormat();
  }

  @Override
  public OutputWriterFactory prepareWrite(SparkSession session, Job job, Map<String, String> options,
      StructType dataSchema) {
    return super.prepareWrite(session, job, EncryptedFiles.prepareWrite(job, options), dataSchema);
  }

  @Override
  public Option<StructType> inferSchema(SparkSession session, Map<String, String> options, Seq<FileStatus> files) {
    EncryptedFiles.checkEncrypted(files);
    return super.inferSchema(session, options, files);
  }

  @Override
  public Function1<PartitionedFile, Iterator<InternalRow>> buildReader(SparkSession session, StructType dataSchema,
      StructType partitionSchema, StructType requiredSchema, Seq<Filter> filters, Map<String, String> options,
      Configuration hadoopConf) {
    return EncryptedFiles.encryptedOnly(super.buildReader(session, dataSchema, partitionSchema, requiredSchema,
        filters, options, hadoopConf));
  }
}
