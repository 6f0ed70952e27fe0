package io.ppml.spark.codec;

import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentCipher;
import io.ppml.core.format.SegmentedAeadReader;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.secret.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.Seekable;
import org.apache.hadoop.io.compress.SplitCompressionInputStream;

/**
 * Verified plaintext of a whole encrypted file or of one split of it, with positions in ciphertext bytes as
 * {@link PpmlCodec} describes: while a byte of segment {@code i} is returned, {@link #getPos()} is where segment
 * {@code i} starts (0 for segment 0). Every {@code read} returns bytes of one segment only, which Hadoop's
 * {@code CompressedSplitLineReader} relies on.
 */
final class DecryptingInputStream extends SplitCompressionInputStream {
  /** Null for a split that owns no segment. */
  private final SegmentedAeadReader reader;
  private final FileHeader header;
  private long position;

  private DecryptingInputStream(InputStream in, SegmentedAeadReader reader, FileHeader header, long start,
      long end) throws IOException {
    super(in, start, end);
    this.reader = reader;
    this.header = header;
    this.position = start;
  }

  /** Reads the header at the current position of {@code in} and decrypts everything after it. */
  static DecryptingInputStream wholeFile(InputStream in, KeyManagementService kms, String fileName)
      throws IOException {
    try {
      SegmentedAeadReader reader = SegmentedAeadReader.open(in, kms, fileName);
      return new DecryptingInputStream(in, reader, reader.header(), 0, Long.MAX_VALUE);
    } catch (IOException | RuntimeException e) {
      closeAfterFailure(in, e);
      throw e;
    }
  }

  /** Decrypts the segments split {@code [start, end)} owns, then the following ones as far as read. */
  static DecryptingInputStream split(InputStream in, KeyManagementService kms, long start, long end,
      String fileName) throws IOException {
    if (!(in instanceof Seekable seekable)) {
      throw new IllegalArgumentException("splitting " + fileName + " needs a seekable stream");
    }
    try {
      return openSplit(in, seekable, kms, start, end, fileName);
    } catch (IOException | RuntimeException e) {
      closeAfterFailure(in, e);
      throw e;
    }
  }

  private static DecryptingInputStream openSplit(InputStream in, Seekable seekable, KeyManagementService kms,
      long start, long end, String fileName) throws IOException {
    seekable.seek(0);
    FileHeader header = FileHeader.read(in, fileName);
    long first = firstOwnedSegment(header, start);
    long last = lastOwnedSegment(header, end);
    if (first > last) {
      // No segment starts inside this split: it reads nothing, and needs no key.
      return new DecryptingInputStream(in, null, header, start, start);
    }
    SegmentCipher cipher;
    try (SecretBytes dataKey = kms.unwrap(header.wrappedKey())) {
      cipher = SegmentCipher.create(header, dataKey, fileName);
    }
    try {
      seekable.seek(header.segmentOffset(first));
    } catch (IOException | RuntimeException e) {
      cipher.close();
      throw e;
    }
    SegmentedAeadReader reader = SegmentedAeadReader.fromSegment(in, header, cipher, first, fileName);
    return new DecryptingInputStream(in, reader, header, segmentStart(header, first),
        segmentStart(header, last));
  }

  /** Closes {@code in} when opening failed, keeping the original failure. */
  private static void closeAfterFailure(InputStream in, Exception failure) {
    try {
      in.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  /** Where segment {@code index} counts as starting: 0 for the first (it comes with the header). */
  static long segmentStart(FileHeader header, long index) {
    return index == 0 ? 0 : header.segmentOffset(index);
  }

  /** The first segment that starts at or after {@code start}. */
  static long firstOwnedSegment(FileHeader header, long start) {
    if (start <= 0) {
      return 0;
    }
    if (start <= header.length()) {
      return 1;
    }
    return -Math.floorDiv(header.length() - start, header.ciphertextSegmentSize()); // ceiling division
  }

  /** The last segment that starts before {@code end}, or -1. */
  static long lastOwnedSegment(FileHeader header, long end) {
    if (end <= 0) {
      return -1;
    }
    return Math.max(0, Math.floorDiv(end - header.length() - 1, header.ciphertextSegmentSize()));
  }

  @Override
  public int read() throws IOException {
    if (reader == null) {
      return -1;
    }
    long segment = reader.currentSegment();
    int b = reader.read();
    if (b >= 0) {
      position = segmentStart(header, segment);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (reader == null) {
      return len == 0 ? 0 : -1;
    }
    // The bytes of one read all come from the segment the next byte is in.
    long segment = reader.currentSegment();
    int n = reader.read(b, off, len);
    if (n > 0) {
      position = segmentStart(header, segment);
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return reader == null ? 0 : reader.available();
  }

  /** Where the segment of the last byte returned starts; before any, the adjusted start. */
  @Override
  public long getPos() {
    return position;
  }

  /** Not supported: decryption state is per segment and a split cannot restart. */
  @Override
  public void resetState() throws IOException {
    throw new IOException("an encrypted input stream cannot be reset; open a new stream");
  }

  @Override
  public void close() throws IOException {
    try {
      if (reader != null) {
        reader.close();
      }
    } finally {
      super.close();
    }
  }
}
