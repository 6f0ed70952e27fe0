package io.ppml.spark.codec;

import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configurable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionInputStream;
import org.apache.hadoop.io.compress.CompressionOutputStream;
import org.apache.hadoop.io.compress.Compressor;
import org.apache.hadoop.io.compress.Decompressor;
import org.apache.hadoop.io.compress.SplitCompressionInputStream;
import org.apache.hadoop.io.compress.SplittableCompressionCodec;

/**
 * A Hadoop "compression" codec that encrypts and decrypts files in the segmented authenticated format
 * ({@code io.ppml.core.format.SegmentedAeadFormat}), so that Spark's CSV, JSON and text sources read and write
 * encrypted files with all their own options. Files end with {@value #EXTENSION}; Hadoop's
 * {@code CompressionCodecFactory} finds the codec by that suffix (it is registered through
 * {@code META-INF/services/org.apache.hadoop.io.compress.CompressionCodec}; listing it in
 * {@code io.compression.codecs} works as well).
 *
 * <p>Writing ({@link #createOutputStream(OutputStream)}) starts a new file with a fresh data key from the
 * key management service, wrapped under the primary key named by {@value PpmlWriteOptions#CONF_KEY} in the
 * job's Hadoop configuration. Reading needs no key name: the file header names it. The key management service
 * comes from the {@code spark.ppml.kms.*} settings in the same configuration, through {@link ExecutorKms}.
 *
 * <p>Splitting ({@link #createInputStream(InputStream, Decompressor, long, long, READ_MODE)}): segment
 * {@code i} belongs to the split that contains the byte where its ciphertext starts (segment 0 counts as
 * starting at byte 0, with the header). A split delivers its own segments and then, as long as it is read, the
 * following ones, so a line reader can finish the line it started. The position it reports is, while a byte of
 * segment {@code i} is being read, where segment {@code i} starts; its adjusted end is where its last own
 * segment starts. Together with Hadoop's {@code LineRecordReader} (a split reads lines while the position is
 * not past its end; every split but the first drops its first, partial, line) each line is read exactly once:
 * the split that owns the segment in which a line starts reads it, and a line starting at the very first byte
 * of a segment belongs to the split owning the segment before, which is also the line the next split drops.
 *
 * <p>Integrity: a segment's plaintext is released only after it authenticated; a damaged segment fails the
 * read with an {@code IntegrityException} naming the file and segment. The Compressor and Decompressor API is not
 * used: {@link #createCompressor()} and {@link #createDecompressor()} return {@code null}, which Hadoop's
 * {@code CodecPool} accepts.
 */
public final class PpmlCodec implements SplittableCompressionCodec, Configurable {
  /** Suffix of encrypted files, and how Hadoop finds this codec. */
  public static final String EXTENSION = ".ppml";

  private Configuration conf;

  @Override
  public void setConf(Configuration conf) {
    this.conf = conf;
  }

  @Override
  public Configuration getConf() {
    return conf;
  }

  private Configuration conf() {
    return conf != null ? conf : new Configuration();
  }

  private KeyManagementService kms() throws PpmlException {
    return ExecutorKms.forSettings(KmsSettings.fromHadoopConf(conf()));
  }

  @Override
  public CompressionOutputStream createOutputStream(OutputStream out) throws IOException {
    return EncryptingOutputStream.open(out, kms(), PpmlWriteOptions.fromHadoopConf(conf()));
  }

  /** As {@link #createOutputStream(OutputStream)}; there is no compressor. */
  @Override
  public CompressionOutputStream createOutputStream(OutputStream out, Compressor compressor) throws IOException {
    return createOutputStream(out);
  }

  @Override
  public Class<? extends Compressor> getCompressorType() {
    return null;
  }

  @Override
  public Compressor createCompressor() {
    return null;
  }

  /** Decrypts a whole file; {@code in} is at its first byte. */
  @Override
  public CompressionInputStream createInputStream(InputStream in) throws IOException {
    return DecryptingInputStream.wholeFile(in, kms(), InputFileName.current());
  }

  /** As {@link #createInputStream(InputStream)}; there is no decompressor. */
  @Override
  public CompressionInputStream createInputStream(InputStream in, Decompressor decompressor) throws IOException {
    return createInputStream(in);
  }

  /**
   * Decrypts the segments of split {@code [start, end)} and, as far as read, those after it (see the class
   * comment). {@code seekableIn} must implement {@code Seekable}. Both read modes behave the same: segment
   * boundaries are the only block boundaries.
   */
  @Override
  public SplitCompressionInputStream createInputStream(InputStream seekableIn, Decompressor decompressor,
      long start, long end, READ_MODE readMode) throws IOException {
    return DecryptingInputStream.split(seekableIn, kms(), start, end, InputFileName.forSplit(start, end));
  }

  @Override
  public Class<? extends Decompressor> getDecompressorType() {
    return null;
  }

  @Override
  public Decompressor createDecompressor() {
    return null;
  }

  @Override
  public String getDefaultExtension() {
    return EXTENSION;
  }
}
