package io.ppml.spark.source;

import io.ppml.spark.codec.InvalidWriteOptionException;
import io.ppml.spark.codec.PpmlCodec;
import io.ppml.spark.codec.PpmlWriteOptions;
import java.io.Serializable;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.mapreduce.Job;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.datasources.PartitionedFile;
import scala.Function1;
import scala.collection.Iterator;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * What the {@code ppml-csv}, {@code ppml-json} and {@code ppml-text} sources add to Spark's own: on write, the
 * codec and the key name; on read, the rule that every file is encrypted. Everything else is Spark's source.
 */
final class EncryptedFiles {
  /** Spark's option naming the output codec of text-based sources. */
  static final String COMPRESSION = "compression";

  private EncryptedFiles() {}

  /**
   * Checks the write options, puts the key name and segment size into the job's Hadoop configuration (which
   * Spark ships to the tasks) and returns the options with the codec set.
   *
   * @throws InvalidWriteOptionException when {@code key} is missing or invalid, or another codec is asked for
   */
  static scala.collection.immutable.Map<String, String> prepareWrite(Job job,
      scala.collection.immutable.Map<String, String> options) {
    Map<String, String> javaOptions = CollectionConverters.asJava(options);
    PpmlWriteOptions write = PpmlWriteOptions.fromOptions(javaOptions);
    String compression = javaOptions.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(COMPRESSION)).map(Map.Entry::getValue).findFirst().orElse(null);
    if (compression != null && !compression.equals(PpmlCodec.class.getName())) {
      throw new InvalidWriteOptionException(COMPRESSION, "ppml sources always write with "
          + PpmlCodec.class.getName() + "; remove option(\"" + COMPRESSION + "\", \"" + compression + "\")");
    }
    write.applyTo(job.getConfiguration());
    @SuppressWarnings("unchecked") // Scala's Map.updated returns a higher-kinded type Java sees as raw
    scala.collection.immutable.Map<String, String> withCodec =
        options.updated(COMPRESSION, PpmlCodec.class.getName());
    return withCodec;
  }

  /** Fails unless every file ends with {@value PpmlCodec#EXTENSION}. */
  static void checkEncrypted(Seq<FileStatus> files) {
    for (FileStatus file : CollectionConverters.asJava(files)) {
      checkEncrypted(file.getPath().toString());
    }
  }

  static void checkEncrypted(String path) {
    if (!path.endsWith(PpmlCodec.EXTENSION)) {
      throw new UnencryptedInputException(path);
    }
  }

  /** {@code reader}, refusing any file that is not encrypted before it opens it. */
  static Function1<PartitionedFile, Iterator<InternalRow>> encryptedOnly(
      Function1<PartitionedFile, Iterator<InternalRow>> reader) {
    return new EncryptedOnlyReader(reader);
  }

  private static final class EncryptedOnlyReader extends AbstractFunction1<PartitionedFile, Iterator<InternalRow>>
      implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Function1<PartitionedFile, Iterator<InternalRow>> reader;

    EncryptedOnlyReader(Function1<PartitionedFile, Iterator<InternalRow>> reader) {
      this.reader = reader;
    }

    @Override
    public Iterator<InternalRow> apply(PartitionedFile file) {
      checkEncrypted(file.toPath().getName());
      return reader.apply(file);
    }
  }
}
