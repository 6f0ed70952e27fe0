package io.ppml.core.format;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The one set of damages every encrypted format and codec of the project is tested against: bit flips,
 * truncation (anywhere, at and between segment boundaries), dropped, duplicated and swapped segments, appended
 * bytes, a segment spliced in from another file, and headers swapped between files. Each method returns a
 * damaged copy and leaves its inputs alone. Segment boundaries come from the header, as a reader computes them.
 */
public final class Tamper {
  private Tamper() {}

  /** Flips bit {@code bit} (0 = least significant bit of byte 0) of a copy of {@code file}. */
  public static byte[] flipBit(byte[] file, long bit) {
    byte[] copy = file.clone();
    copy[(int) (bit / 8)] ^= (byte) (1 << (bit % 8));
    return copy;
  }

  /** The first {@code length} bytes of {@code file}. */
  public static byte[] truncate(byte[] file, int length) {
    return Arrays.copyOf(file, length);
  }

  /** {@code file} cut at the start of segment {@code index} (dropping it and everything after). */
  public static byte[] truncateAtSegment(byte[] file, FileHeader header, long index) {
    return truncate(file, start(file, header, index));
  }

  /** {@code file} cut {@code into} bytes into segment {@code index} (0 &lt; into &lt; that segment's length). */
  public static byte[] truncateInsideSegment(byte[] file, FileHeader header, long index, int into) {
    int start = start(file, header, index);
    if (into <= 0 || start + into >= end(file, header, index)) {
      throw new IllegalArgumentException("cut must fall strictly inside segment " + index);
    }
    return truncate(file, start + into);
  }

  /** {@code file} followed by {@code extra}. */
  public static byte[] append(byte[] file, byte[] extra) {
    byte[] copy = Arrays.copyOf(file, file.length + extra.length);
    System.arraycopy(extra, 0, copy, file.length, extra.length);
    return copy;
  }

  /** {@code file} without segment {@code index}. */
  public static byte[] dropSegment(byte[] file, FileHeader header, long index) {
    return concat(slice(file, 0, start(file, header, index)), slice(file, end(file, header, index), file.length));
  }

  /** {@code file} with segment {@code index} stored twice in a row. */
  public static byte[] duplicateSegment(byte[] file, FileHeader header, long index) {
    int end = end(file, header, index);
    return concat(slice(file, 0, end), segment(file, header, index), slice(file, end, file.length));
  }

  /** {@code file} with segments {@code i < j} exchanged. */
  public static byte[] swapSegments(byte[] file, FileHeader header, long i, long j) {
    if (i >= j) {
      throw new IllegalArgumentException("need i < j");
    }
    return concat(slice(file, 0, start(file, header, i)), segment(file, header, j),
        slice(file, end(file, header, i), start(file, header, j)), segment(file, header, i),
        slice(file, end(file, header, j), file.length));
  }

  /**
   * File {@code a} with its segment {@code index} replaced by segment {@code index} of file {@code b}, which has
   * a header of the same length and segment size.
   */
  public static byte[] spliceSegment(byte[] a, FileHeader headerA, byte[] b, FileHeader headerB, long index) {
    return concat(slice(a, 0, start(a, headerA, index)), segment(b, headerB, index),
        slice(a, end(a, headerA, index), a.length));
  }

  /** The body of {@code a} behind the header of {@code b}. */
  public static byte[] swapHeader(byte[] a, FileHeader headerA, FileHeader headerB) {
    return concat(headerB.encoded(), slice(a, headerA.length(), a.length));
  }

  /** Number of segments stored in {@code file}, counting a trailing partial one. */
  public static long segments(byte[] file, FileHeader header) {
    long body = file.length - header.length();
    return body <= 0 ? 0 : (body + header.ciphertextSegmentSize() - 1) / header.ciphertextSegmentSize();
  }

  /** The stored bytes of segment {@code index}. */
  public static byte[] segment(byte[] file, FileHeader header, long index) {
    return slice(file, start(file, header, index), end(file, header, index));
  }

  private static int start(byte[] file, FileHeader header, long index) {
    long start = header.segmentOffset(index);
    if (start > file.length) {
      throw new IllegalArgumentException("file has no segment " + index);
    }
    return (int) start;
  }

  private static int end(byte[] file, FileHeader header, long index) {
    return (int) Math.min(file.length, header.segmentOffset(index + 1));
  }

  private static byte[] slice(byte[] file, int from, int to) {
    return Arrays.copyOfRange(file, from, to);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
