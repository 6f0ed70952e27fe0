package io.ppml.core.format;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.MalformedInputException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.secret.SecretBytes;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * Random access to a file in the {@link SegmentedAeadFormat segmented format}: any segment, or any plaintext
 * range, verified on the way. Opening verifies the last segment, so {@link #plaintextLength()} is authenticated
 * and a file truncated at a segment boundary is rejected at once. Every read verifies the segments it touches
 * and returns nothing from a segment that does not authenticate. Methods are synchronized; one instance keeps
 * one decrypted segment cached.
 */
public final class SegmentedAeadFile implements Closeable {
  private final SeekableByteChannel channel;
  private final FileHeader header;
  private final SegmentCipher cipher;
  private final String fileName;
  private final long fileLength;
  private final long segmentCount;
  private final long plaintextLength;
  private final ByteBuffer ciphertext;
  private final byte[] plain;
  private final ByteBuffer plainBuffer;
  private long cachedSegment = -1;

  private SegmentedAeadFile(SeekableByteChannel channel, FileHeader header, SegmentCipher cipher, String fileName,
      long fileLength, long segmentCount) throws MalformedInputException {
    this.channel = channel;
    this.header = header;
    this.cipher = cipher;
    this.fileName = fileName;
    this.fileLength = fileLength;
    this.segmentCount = segmentCount;
    this.plaintextLength = header.plaintextLength(fileLength);
    this.ciphertext = ByteBuffer.allocate(header.ciphertextSegmentSize());
    this.plain = new byte[header.segmentSize()];
    this.plainBuffer = ByteBuffer.wrap(plain);
  }

  /**
   * Reads the header from the start of {@code channel}, unwraps the data key through {@code kms} and verifies
   * the last segment. On success the returned file owns {@code channel} and closes it.
   *
   * @param fileName named in error messages
   */
  public static SegmentedAeadFile open(SeekableByteChannel channel, KeyManagementService kms, String fileName)
      throws PpmlException {
    FileHeader header;
    long fileLength;
    try {
      channel.position(0);
      // Not closed: closing this stream would close the channel.
      InputStream headerStream = Channels.newInputStream(channel);
      header = FileHeader.read(headerStream, fileName);
      fileLength = channel.size();
    } catch (PpmlException e) {
      throw e;
    } catch (IOException e) {
      throw new MalformedInputException("cannot read " + fileName + ": " + e.getMessage(), e);
    }
    long segmentCount;
    try {
      segmentCount = header.segmentCount(fileLength);
    } catch (MalformedInputException e) {
      // The header parsed, so a length no complete file can have means the body was cut or extended.
      long segment = Math.max(0, (fileLength - header.length()) / header.ciphertextSegmentSize());
      throw new IntegrityException(fileName, segment, "file length does not end a segment");
    }
    SegmentCipher cipher;
    try (SecretBytes dataKey = kms.unwrap(header.wrappedKey())) {
      cipher = SegmentCipher.create(header, dataKey, fileName);
    }
    try {
      SegmentedAeadFile file = new SegmentedAeadFile(channel, header, cipher, fileName, fileLength, segmentCount);
      file.load(segmentCount - 1);
      return file;
    } catch (PpmlException | RuntimeException e) {
      cipher.close();
      throw e;
    }
  }

  /** Opens {@code path} read-only; the path is the file name in error messages. */
  public static SegmentedAeadFile open(Path path, KeyManagementService kms) throws PpmlException {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new MalformedInputException("cannot open " + path + ": " + e.getMessage(), e);
    }
    try {
      return open(channel, kms, path.toString());
    } catch (PpmlException | RuntimeException e) {
      try {
        channel.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  public FileHeader header() {
    return header;
  }

  public long segmentCount() {
    return segmentCount;
  }

  /** Plaintext bytes in the file; authenticated, because opening verified the last segment. */
  public long plaintextLength() {
    return plaintextLength;
  }

  /** The verified plaintext of segment {@code index}, in a new buffer the caller owns. */
  public synchronized ByteBuffer readSegment(long index) throws PpmlException {
    Objects.checkIndex(index, segmentCount);
    load(index);
    return ByteBuffer.wrap(Arrays.copyOf(plain, plainBuffer.limit()));
  }

  /**
   * Reads up to {@code len} plaintext bytes starting at {@code plaintextPosition} into {@code dst}.
   *
   * @return bytes read: {@code len}, fewer only at the end of the plaintext, -1 if {@code plaintextPosition} is
   *     at or after the end (and {@code len > 0})
   */
  public synchronized int read(long plaintextPosition, byte[] dst, int off, int len) throws PpmlException {
    Objects.checkFromIndexSize(off, len, dst.length);
    if (plaintextPosition < 0) {
      throw new IllegalArgumentException("negative plaintext position " + plaintextPosition);
    }
    if (len == 0) {
      return 0;
    }
    if (plaintextPosition >= plaintextLength) {
      return -1;
    }
    int segmentSize = header.segmentSize();
    long position = plaintextPosition;
    int done = 0;
    while (done < len && position < plaintextLength) {
      load(position / segmentSize);
      int within = (int) (position % segmentSize);
      int n = Math.min(len - done, plainBuffer.limit() - within);
      System.arraycopy(plain, within, dst, off + done, n);
      done += n;
      position += n;
    }
    return done;
  }

  /** Makes {@code plain} hold the verified plaintext of segment {@code index}. */
  private void load(long index) throws PpmlException {
    if (cachedSegment == index) {
      return;
    }
    cachedSegment = -1;
    long offset = header.segmentOffset(index);
    boolean last = index == segmentCount - 1;
    int length = (int) (last ? fileLength - offset : header.ciphertextSegmentSize());
    ciphertext.clear().limit(length);
    try {
      channel.position(offset);
      while (ciphertext.hasRemaining()) {
        if (channel.read(ciphertext) < 0) {
          throw new IntegrityException(fileName, index, "file ends inside a segment");
        }
      }
    } catch (PpmlException e) {
      throw e;
    } catch (IOException e) {
      throw new MalformedInputException("cannot read segment " + index + " of " + fileName + ": "
          + e.getMessage(), e);
    }
    cipher.decrypt(index, last, ciphertext.flip(), plainBuffer.clear());
    plainBuffer.flip();
    cachedSegment = index;
  }

  /** Closes the channel and drops the key. */
  @Override
  public synchronized void close() throws IOException {
    Arrays.fill(plain, (byte) 0);
    cachedSegment = -1;
    try {
      channel.close();
    } finally {
      cipher.close();
    }
  }
}
