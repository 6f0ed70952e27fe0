package io.ppml.core.format;

import static io.ppml.core.format.SegmentedAeadFormat.MAX_SEGMENTS;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.secret.SecretBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encrypts a stream into the {@link SegmentedAeadFormat segmented format}. The header goes out with the first
 * segment (or on {@link #flush()}); {@link #close()} writes the last segment, so a writer that is not closed
 * leaves a file that every reader rejects as truncated. After any failure the writer stays failed and
 * {@code close()} does not write a last segment, so a failed write never leaves a file that reads as complete.
 * Not thread-safe.
 */
public final class SegmentedAeadWriter extends OutputStream {
  private final OutputStream out;
  private final String fileName;
  private final FileHeader header;
  private final SegmentCipher cipher;
  private final DataKey ownedKey;
  private final int segmentSize;
  private final byte[] plain;
  private final ByteBuffer plainBuffer;
  private final byte[] ciphertext;
  private final ByteBuffer ciphertextBuffer;
  private int buffered;
  private long nextSegment;
  private boolean headerWritten;
  private boolean closed;
  private IOException failure;

  /**
   * Generates a data key under the newest version of {@code keyName} and starts an encrypted file on
   * {@code out}, which the writer closes (if this method throws, {@code out} stays open).
   *
   * @param fileName named in error messages
   */
  public static SegmentedAeadWriter open(OutputStream out, KeyManagementService kms, String keyName,
      int segmentSize, String fileName) throws PpmlException {
    SegmentedAeadFormat.checkSegmentSize(segmentSize);
    DataKey dataKey = kms.generateDataKey(keyName);
    try {
      return new SegmentedAeadWriter(out, FileHeader.create(dataKey.wrapped(), segmentSize), dataKey.plaintext(),
          fileName, dataKey);
    } catch (RuntimeException | PpmlException e) {
      dataKey.close();
      throw e;
    }
  }

  /**
   * Starts an encrypted file on {@code out} (which the writer closes) with a data key the caller generated. The
   * segment key is derived here, so the caller may close {@code dataKey} as soon as this returns.
   */
  public SegmentedAeadWriter(OutputStream out, DataKey dataKey, int segmentSize, String fileName)
      throws PpmlException {
    this(out, FileHeader.create(dataKey.wrapped(), segmentSize), dataKey.plaintext(), fileName, null);
  }

  /** With a given header: for known-answer tests only, since a header must never be used twice. */
  SegmentedAeadWriter(OutputStream out, FileHeader header, SecretBytes dataKey, String fileName, DataKey ownedKey)
      throws PpmlException {
    this.out = Objects.requireNonNull(out, "out");
    this.fileName = fileName;
    this.header = header;
    this.cipher = SegmentCipher.create(header, dataKey, fileName);
    this.ownedKey = ownedKey;
    this.segmentSize = header.segmentSize();
    this.plain = new byte[segmentSize];
    this.plainBuffer = ByteBuffer.wrap(plain);
    this.ciphertext = new byte[header.ciphertextSegmentSize()];
    this.ciphertextBuffer = ByteBuffer.wrap(ciphertext);
  }

  /** The header of the file being written. */
  public FileHeader header() {
    return header;
  }

  @Override
  public void write(int b) throws IOException {
    checkOpen();
    if (buffered == segmentSize) {
      emit(plainBuffer.clear(), false);
      buffered = 0;
    }
    plain[buffered++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    checkOpen();
    while (len > 0) {
      if (buffered == segmentSize) {
        // More input follows, so the buffered segment is not the last one.
        emit(plainBuffer.clear(), false);
        buffered = 0;
      }
      if (buffered == 0 && len > segmentSize) {
        // A full segment with more input after it: encrypt straight from the caller's array.
        emit(ByteBuffer.wrap(b, off, segmentSize), false);
        off += segmentSize;
        len -= segmentSize;
        continue;
      }
      int n = Math.min(len, segmentSize - buffered);
      System.arraycopy(b, off, plain, buffered, n);
      buffered += n;
      off += n;
      len -= n;
    }
  }

  /** Writes the header if still pending and flushes {@code out}; never emits a partial segment. */
  @Override
  public void flush() throws IOException {
    checkOpen();
    try {
      writeHeaderOnce();
      out.flush();
    } catch (IOException | RuntimeException e) {
      recordFailure(e);
      throw e;
    }
  }

  /** Writes the last segment (possibly empty) unless the writer failed earlier, then closes {@code out}. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (OutputStream o = out) {
      if (failure != null) {
        throw new IOException("encrypted file " + fileName + " is incomplete: writing it failed earlier", failure);
      }
      emit(plainBuffer.clear().limit(buffered), true);
      o.flush();
    } finally {
      Arrays.fill(plain, (byte) 0);
      cipher.close();
      if (ownedKey != null) {
        ownedKey.close();
      }
    }
  }

  private void emit(ByteBuffer segment, boolean last) throws IOException {
    try {
      if (nextSegment >= (last ? MAX_SEGMENTS : MAX_SEGMENTS - 1)) {
        throw new PpmlException(ErrorCode.INVALID_ARGUMENT, "plaintext of " + fileName
            + " is too long: a file holds at most 2^32 segments of " + segmentSize + " bytes");
      }
      int n = cipher.encrypt(nextSegment, last, segment, ciphertextBuffer.clear());
      writeHeaderOnce();
      out.write(ciphertext, 0, n);
      nextSegment++;
    } catch (IOException | RuntimeException e) {
      recordFailure(e);
      throw e;
    }
  }

  private void writeHeaderOnce() throws IOException {
    if (!headerWritten) {
      out.write(header.encoded());
      headerWritten = true;
    }
  }

  private void recordFailure(Exception e) {
    if (failure == null) {
      failure = e instanceof IOException io ? io : new IOException(e);
    }
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("encrypted stream " + fileName + " is closed");
    }
    if (failure != null) {
      throw new IOException("encrypted stream " + fileName + " failed earlier", failure);
    }
  }
}
