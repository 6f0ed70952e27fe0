package io.ppml.attestation.tdx;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import java.util.Arrays;

/** Bounds-checked little-endian reader over {@code [start, end)} of a byte array; never reads past end. */
final class ByteCursor {
  private final byte[] bytes;
  private final int end;
  private int pos;

  ByteCursor(byte[] bytes, int start, int end) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  int position() {
    return pos;
  }

  int remaining() {
    return end - pos;
  }

  private void need(int n, String field) throws AttestationException {
    if (n < 0 || n > end - pos) {
      throw new AttestationException(Reason.MALFORMED_QUOTE,
          field + " needs " + n + " bytes at offset " + pos + " but only " + (end - pos) + " remain");
    }
  }

  int u16(String field) throws AttestationException {
    need(2, field);
    int v = (bytes[pos] & 0xff) | (bytes[pos + 1] & 0xff) << 8;
    pos += 2;
    return v;
  }

  /** An unsigned 32-bit value; lengths above {@link Integer#MAX_VALUE} are returned as -1 (never fit). */
  long u32(String field) throws AttestationException {
    need(4, field);
    long v = (bytes[pos] & 0xffL) | (bytes[pos + 1] & 0xffL) << 8 | (bytes[pos + 2] & 0xffL) << 16
        | (bytes[pos + 3] & 0xffL) << 24;
    pos += 4;
    return v;
  }

  /** A length field checked against the bytes that remain, so a hostile length never drives an allocation. */
  int length32(String field) throws AttestationException {
    long n = u32(field);
    if (n > remaining()) {
      throw new AttestationException(Reason.MALFORMED_QUOTE,
          field + " is " + n + " but only " + remaining() + " bytes remain at offset " + pos);
    }
    return (int) n;
  }

  byte[] take(int n, String field) throws AttestationException {
    need(n, field);
    byte[] out = Arrays.copyOfRange(bytes, pos, pos + n);
    pos += n;
    return out;
  }
}
