package io.ppml.spark.arrow;

import io.ppml.core.error.PpmlException;
import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.format.SegmentedAeadReader;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.arrow.ArrowWriter;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import scala.Function1;

/**
 * A DataFrame as one encrypted Arrow file: an Arrow IPC <em>stream</em> (schema message, record batches,
 * end-of-stream marker) written as the plaintext of the project's segmented authenticated format
 * ({@link SegmentedAeadWriter}: per-file data key wrapped by a named primary key, 64 KiB AES-256-GCM
 * segments). Any change to the file fails authentication before a row is returned.
 *
 * <p>Memory: both directions run on the driver. {@link #write} streams rows to the driver partition by
 * partition ({@code executeToIterator}, like {@code Dataset.toLocalIterator}), so the driver holds one
 * partition plus one batch at a time; {@link #read} builds the whole DataFrame in driver memory before
 * handing it to Spark. Meant for exporting results and small-to-medium tables to non-Spark consumers, not for
 * bulk storage (use {@code ppml-parquet} for that).
 *
 * <p>Type mapping is Spark's own ({@code ArrowUtils}, as used by PySpark): timestamps in the session time zone,
 * nested structs, arrays and maps as Arrow nested types, nulls as Arrow validity bits.
 */
public final class EncryptedArrow {
  /** Rows per Arrow record batch. */
  public static final int BATCH_ROWS = 8192;

  private EncryptedArrow() {}

  /**
   * Writes {@code df} to {@code path} (any Hadoop file system) under primary key {@code keyName}, using the key
   * service configured by the session's {@code spark.ppml.kms.*}. The file appears only when complete: it is
   * written under a temporary name and renamed, so a failed export leaves no truncated-but-valid file.
   */
  public static void write(Dataset<Row> df, String path, String keyName) throws IOException {
    SparkSession spark = df.sparkSession();
    KeyManagementService kms = sessionKms(spark);
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(hadoopConf(spark));
    if (fs.exists(target)) {
      throw new java.nio.file.FileAlreadyExistsException(path);
    }
    Path partial = new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".partial");
    String timeZone = spark.conf().get("spark.sql.session.timeZone");
    Schema schema = ArrowUtils.toArrowSchema(df.schema(), timeZone, true, false);
    boolean done = false;
    try (BufferAllocator allocator = ArrowUtils.rootAllocator().newChildAllocator("ppml-arrow-write", 0,
            Long.MAX_VALUE);
         VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
         OutputStream file = fs.create(partial, false);
         OutputStream encrypted = SegmentedAeadWriter.open(file, kms, keyName,
             SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE, path);
         ArrowStreamWriter out = new ArrowStreamWriter(root, null, Channels.newChannel(encrypted))) {
      ArrowWriter rows = ArrowWriter.create(root);
      out.start();
      scala.collection.Iterator<InternalRow> it = df.queryExecution().executedPlan().executeToIterator();
      int inBatch = 0;
      while (it.hasNext()) {
        rows.write(it.next());
        if (++inBatch == BATCH_ROWS) {
          flush(rows, out);
          inBatch = 0;
        }
      }
      if (inBatch > 0) {
        flush(rows, out);
      }
      out.end();
      done = true;
    } finally {
      if (!done) {
        fs.delete(partial, false);
      }
    }
    if (!fs.rename(partial, target)) {
      fs.delete(partial, false);
      throw new IOException("could not move the finished Arrow export to " + path);
    }
  }

  private static void flush(ArrowWriter rows, ArrowStreamWriter out) throws IOException {
    rows.finish();
    out.writeBatch();
    rows.reset();
  }

  /**
   * Reads a file written by {@link #write} (any Hadoop file system) into a DataFrame, with the session's key
   * service. All rows are held in driver memory. Fails with an {@code IntegrityException} (in the cause chain)
   * if any byte was changed, and with a key error if the key service cannot unwrap the file's key.
   */
  public static Dataset<Row> read(SparkSession spark, String path) throws IOException {
    KeyManagementService kms = sessionKms(spark);
    Path source = new Path(path);
    FileSystem fs = source.getFileSystem(hadoopConf(spark));
    List<Row> rows = new ArrayList<>();
    StructType schema;
    try (BufferAllocator allocator = ArrowUtils.rootAllocator().newChildAllocator("ppml-arrow-read", 0,
            Long.MAX_VALUE);
         InputStream file = fs.open(source);
         ArrowStreamReader reader = new ArrowStreamReader(SegmentedAeadReader.open(file, kms, path), allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      schema = ArrowUtils.fromArrowSchema(root.getSchema());
      Function1<Object, Object> toRow = CatalystTypeConverters.createToScalaConverter(schema);
      while (reader.loadNextBatch()) {
        List<FieldVector> vectors = root.getFieldVectors();
        ColumnVector[] columns = new ColumnVector[vectors.size()];
        for (int i = 0; i < columns.length; i++) {
          columns[i] = new ArrowColumnVector(vectors.get(i));
        }
        // Not closed: the vectors belong to the reader's root.
        java.util.Iterator<InternalRow> it = new ColumnarBatch(columns, root.getRowCount()).rowIterator();
        while (it.hasNext()) {
          rows.add((Row) toRow.apply(it.next()));
        }
      }
    }
    return spark.createDataFrame(rows, schema);
  }

  /**
   * Opens an encrypted Arrow file outside Spark: returns a reader for its Arrow stream, decrypting and
   * authenticating as it goes. Closing the reader closes the file and the reader's own allocator. Needs
   * {@code arrow-vector} and an Arrow allocator ({@code arrow-memory-netty} or {@code arrow-memory-unsafe}) on
   * the class path, but not Spark.
   */
  public static ArrowStreamReader openStream(java.nio.file.Path file, KeyManagementService kms)
      throws IOException {
    return openStream(Files.newInputStream(file), kms, file.toString());
  }

  /** Like {@link #openStream(java.nio.file.Path, KeyManagementService)} over any stream; closes {@code in}. */
  public static ArrowStreamReader openStream(InputStream in, KeyManagementService kms, String fileName)
      throws IOException {
    SegmentedAeadReader plaintext;
    try {
      plaintext = SegmentedAeadReader.open(in, kms, fileName);
    } catch (PpmlException | RuntimeException e) {
      in.close();
      throw e;
    }
    return new OwningStreamReader(plaintext, new RootAllocator());
  }

  /** An Arrow stream reader that also closes the allocator it was given. */
  private static final class OwningStreamReader extends ArrowStreamReader {
    private final BufferAllocator allocator;

    OwningStreamReader(InputStream in, BufferAllocator allocator) {
      super(in, allocator);
      this.allocator = allocator;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        allocator.close();
      }
    }
  }

  private static KeyManagementService sessionKms(SparkSession spark) throws PpmlException {
    return ExecutorKms.forSettings(KmsSettings.fromSparkConf(spark.sparkContext().getConf()));
  }

  private static Configuration hadoopConf(SparkSession spark) {
    return spark.sparkContext().hadoopConfiguration();
  }
}
