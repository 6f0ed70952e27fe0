package io.ppml.spark.parquet;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.mapreduce.Job;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.OutputWriterFactory;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import org.apache.spark.sql.execution.datasources.parquet.ParquetFileFormat;
import org.apache.spark.sql.sources.Filter;
import org.apache.spark.sql.types.StructType;
import scala.Function1;
import scala.Option;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code spark.read/write.format("ppml-parquet")}: Spark's own Parquet source (V1 {@link ParquetFileFormat}:
 * listing, splitting by row group, vectorized reading, commit protocol) with Parquet Modular Encryption
 * switched on and keys handled by {@link PpmlKmsClient}. Options: {@link ParquetEncryptionOptions}.
 *
 * <p>Spark copies data source options into the Hadoop configuration of each job
 * ({@code SessionState.newHadoopConfWithOptions}); this class adds the encryption settings on top: for writes
 * into the job configuration in {@link #prepareWrite}, for reads into the configuration that Spark broadcasts
 * to the tasks, and into the options used to read footers for schema inference.
 */
public class PpmlParquetDataSource extends ParquetFileFormat {
  private static final long serialVersionUID = 1L;

  /** The name for {@code format(...)}. */
  public static final String SHORT_NAME = "ppml-parquet";

  @Override
  public String shortName() {
    return SHORT_NAME;
  }

  @Override
  public String toString() {
    return "PpmlParquet";
  }

  @Override
  public OutputWriterFactory prepareWrite(SparkSession sparkSession, Job job,
      scala.collection.immutable.Map<String, String> options, StructType dataSchema) {
    ParquetEncryptionOptions.forWrite(CollectionConverters.asJava(options)).applyTo(job.getConfiguration());
    return super.prepareWrite(sparkSession, job, options, dataSchema);
  }

  @Override
  public Option<StructType> inferSchema(SparkSession sparkSession,
      scala.collection.immutable.Map<String, String> options, Seq<FileStatus> files) {
    Map<String, String> withSettings = new LinkedHashMap<>(CollectionConverters.asJava(options));
    withSettings.putAll(ParquetEncryptionOptions.readSettings(
        sparkSession.sessionState().newHadoopConfWithOptions(options)));
    return super.inferSchema(sparkSession,
        scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(withSettings)), files);
  }

  @Override
  public Function1<PartitionedFile, Iterator<InternalRow>> buildReaderWithPartitionValues(
      SparkSession sparkSession, StructType dataSchema, StructType partitionSchema, StructType requiredSchema,
      Seq<Filter> filters, scala.collection.immutable.Map<String, String> options, Configuration hadoopConf) {
    ParquetEncryptionOptions.applyReadSettings(hadoopConf);
    return super.buildReaderWithPartitionValues(sparkSession, dataSchema, partitionSchema, requiredSchema,
        filters, options, hadoopConf);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PpmlParquetDataSource;
  }

  @Override
  public int hashCode() {
    return PpmlParquetDataSource.class.hashCode();
  }
}
