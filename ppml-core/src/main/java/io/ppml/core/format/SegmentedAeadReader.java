package io.ppml.core.format;

import static io.ppml.core.format.SegmentedAeadFormat.MAX_SEGMENTS;
import static io.ppml.core.format.SegmentedAeadFormat.TAG_SIZE;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.secret.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decrypts a stream in the {@link SegmentedAeadFormat segmented format}, one verified segment at a time.
 *
 * <ul>
 *   <li>Returns plaintext only from segments that authenticated; a damaged segment yields an
 *       {@link IntegrityException} naming the file and segment before any of its bytes.
 *   <li>Returns end of stream (-1) only after the segment flagged last has authenticated, so truncation anywhere
 *       (inside a segment or at a segment boundary) and data after the last segment are errors.
 *   <li>Stays failed: after the first error, every read throws that error again.
 * </ul>
 * It reads one byte ahead of each segment to tell whether that segment is the last. Not thread-safe.
 */
public final class SegmentedAeadReader extends InputStream {
  private final InputStream in;
  private final FileHeader header;
  private final SegmentCipher cipher;
  private final String fileName;
  private final int segmentSize;
  /** One ciphertext segment plus the look-ahead byte, which is carried to index 0 for the next segment. */
  private final byte[] ciphertext;
  private final ByteBuffer ciphertextBuffer;
  private final byte[] plain;
  /** Unread verified plaintext of the current segment, between position and limit. */
  private final ByteBuffer plainBuffer;
  private int carried;
  private long nextSegment;
  private boolean lastVerified;
  private boolean closed;
  private IOException failure;

  private SegmentedAeadReader(InputStream in, FileHeader header, SegmentCipher cipher, long firstSegment,
      String fileName) {
    this.in = Objects.requireNonNull(in, "in");
    this.header = header;
    this.cipher = cipher;
    this.fileName = fileName;
    this.segmentSize = header.segmentSize();
    this.ciphertext = new byte[header.ciphertextSegmentSize() + 1];
    this.ciphertextBuffer = ByteBuffer.wrap(ciphertext);
    this.plain = new byte[segmentSize];
    this.plainBuffer = ByteBuffer.wrap(plain).limit(0);
    this.nextSegment = firstSegment;
  }

  /**
   * Reads the header from {@code in}, unwraps the data key through {@code kms} and returns a reader positioned at
   * the first plaintext byte. The reader closes {@code in}; if this method throws, {@code in} stays open.
   *
   * @param fileName named in error messages
   */
  public static SegmentedAeadReader open(InputStream in, KeyManagementService kms, String fileName)
      throws PpmlException {
    FileHeader header = FileHeader.read(in, fileName);
    SegmentCipher cipher;
    try (SecretBytes dataKey = kms.unwrap(header.wrappedKey())) {
      cipher = SegmentCipher.create(header, dataKey, fileName);
    }
    return new SegmentedAeadReader(in, header, cipher, 0, fileName);
  }

  /**
   * A reader that starts at segment {@code firstSegment}: {@code in} must be positioned at
   * {@code header.segmentOffset(firstSegment)}. It returns plaintext from byte
   * {@code firstSegment * header.segmentSize()} on, to the end of the file. The reader closes {@code in} and
   * {@code cipher}, which must have been created for {@code header}.
   */
  public static SegmentedAeadReader fromSegment(InputStream in, FileHeader header, SegmentCipher cipher,
      long firstSegment, String fileName) {
    if (firstSegment < 0 || firstSegment >= MAX_SEGMENTS) {
      throw new IllegalArgumentException("segment index " + firstSegment + " out of range 0..2^32-1");
    }
    if (cipher.segmentSize() != header.segmentSize()) {
      throw new IllegalArgumentException("segment cipher does not belong to this header");
    }
    return new SegmentedAeadReader(in, header, cipher, firstSegment, fileName);
  }

  public FileHeader header() {
    return header;
  }

  /** Index of the segment the next byte comes from (one past the last segment at end of stream). */
  public long currentSegment() {
    return plainBuffer.hasRemaining() ? nextSegment - 1 : nextSegment;
  }

  @Override
  public int read() throws IOException {
    checkUsable();
    if (!plainBuffer.hasRemaining()) {
      if (lastVerified) {
        return -1;
      }
      nextSegment(plainBuffer.clear());
      plainBuffer.flip();
      if (!plainBuffer.hasRemaining()) {
        return -1;
      }
    }
    return plainBuffer.get() & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    checkUsable();
    if (len == 0) {
      return 0;
    }
    if (!plainBuffer.hasRemaining()) {
      if (lastVerified) {
        return -1;
      }
      if (len >= segmentSize) {
        // Room for a whole segment: decrypt straight into the caller's array, which holds nothing on failure.
        int n = nextSegment(ByteBuffer.wrap(b, off, len));
        return n == 0 ? -1 : n;
      }
      nextSegment(plainBuffer.clear());
      plainBuffer.flip();
      if (!plainBuffer.hasRemaining()) {
        return -1;
      }
    }
    int n = Math.min(len, plainBuffer.remaining());
    plainBuffer.get(b, off, n);
    return n;
  }

  @Override
  public int available() throws IOException {
    checkUsable();
    return plainBuffer.remaining();
  }

  /**
   * Reads, verifies and decrypts the next segment into {@code out}; returns its plaintext length (0 only for an
   * empty last segment).
   */
  private int nextSegment(ByteBuffer out) throws IOException {
    try {
      if (nextSegment >= MAX_SEGMENTS) {
        throw new IntegrityException(fileName, nextSegment, "data after segment 2^32-1");
      }
      int n = carried;
      while (n < ciphertext.length) {
        int r = in.read(ciphertext, n, ciphertext.length - n);
        if (r < 0) {
          break;
        }
        n += r;
      }
      // A full segment followed by at least one more byte is not the last; anything shorter is.
      boolean last = n < ciphertext.length;
      int length = last ? n : ciphertext.length - 1;
      if (last && length < TAG_SIZE) {
        throw new IntegrityException(fileName, nextSegment,
            length == 0 ? "file ends before the last segment" : "file ends inside a segment");
      }
      int written = cipher.decrypt(nextSegment, last, ciphertextBuffer.limit(length).position(0), out);
      if (last) {
        lastVerified = true;
        carried = 0;
      } else {
        ciphertext[0] = ciphertext[length];
        carried = 1;
      }
      nextSegment++;
      return written;
    } catch (IOException | RuntimeException e) {
      plainBuffer.limit(0);
      failure = e instanceof IOException io ? io : new IOException(e);
      throw e;
    }
  }

  private void checkUsable() throws IOException {
    if (closed) {
      throw new IOException("encrypted stream " + fileName + " is closed");
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Closes the underlying stream and the segment cipher. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    Arrays.fill(plain, (byte) 0);
    plainBuffer.limit(0);
    try {
      in.close();
    } finally {
      cipher.close();
    }
  }
}
