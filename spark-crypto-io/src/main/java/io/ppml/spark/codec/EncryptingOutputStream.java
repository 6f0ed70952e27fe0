package io.ppml.spark.codec;

import io.ppml.core.error.PpmlException;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.KeyManagementService;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.io.compress.CompressionOutputStream;

/**
 * Writes one encrypted file with a fresh data key. {@link #finish()} writes the last segment and leaves the
 * underlying stream open, as Hadoop's contract asks; {@link #close()} finishes and closes it.
 */
final class EncryptingOutputStream extends CompressionOutputStream {
  private static final String NAME = "encrypted output";
  private final SegmentedAeadWriter writer;

  private EncryptingOutputStream(OutputStream out, SegmentedAeadWriter writer) {
    super(out);
    this.writer = writer;
  }

  static EncryptingOutputStream open(OutputStream out, KeyManagementService kms, PpmlWriteOptions options)
      throws PpmlException {
    // The writer derives its segment key at construction, so the data key is wiped right after.
    try (DataKey dataKey = kms.generateDataKey(options.keyName())) {
      return new EncryptingOutputStream(out,
          new SegmentedAeadWriter(new KeepOpen(out), dataKey, options.segmentSize(), NAME));
    }
  }

  @Override
  public void write(int b) throws IOException {
    writer.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    writer.write(b, off, len);
  }

  /** Flushes whole segments only; a partial segment stays buffered until it fills or the file ends. */
  @Override
  public void flush() throws IOException {
    writer.flush();
  }

  @Override
  public void finish() throws IOException {
    writer.close();
  }

  /** Not supported: one stream is one file with one data key, and a file cannot restart. */
  @Override
  public void resetState() throws IOException {
    throw new IOException("an encrypted output stream cannot be reset; open a new stream for a new file");
  }

  /** Lets the writer "close" its output (which ends the file) without closing the caller's stream. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
