package io.ppml.core.format;

import io.ppml.core.kms.WrappedKey;

/**
 * The segmented authenticated file format, version 1: a streaming, splittable AEAD for row-oriented files
 * (CSV, JSON lines, text), in the spirit of Tink's streaming AEAD and the STREAM construction. This javadoc and
 * {@code docs/format.md} specify the same bytes and are kept in step.
 *
 * <h2>File</h2>
 * {@code file = header || segment_0 || segment_1 || ... || segment_(n-1)}, {@code n >= 1}. All integers are
 * unsigned big-endian.
 *
 * <h2>Header</h2>
 * <pre>
 * offset      size  field
 * 0           4     magic "PPML" (50 50 4d 4c)
 * 4           1     format version = 1
 * 5           1     algorithm = 1 (AES-256-GCM, segment key from HKDF-SHA256)
 * 6           2     header length H (all header bytes, this field included) = 58 + N + W
 * 8           4     segment size S: plaintext bytes per segment, 1024 &lt;= S &lt;= 8388608
 * 12          1     N: key name length, 1..255
 * 13          N     primary key name, UTF-8 (see KeyNames)
 * 13+N        4     primary key version, 1..2^31-1
 * 17+N        2     W: wrapped data key length, 1..4096
 * 19+N        W     wrapped data key (opaque to everyone but the key management service)
 * 19+N+W      32    salt, random
 * 51+N+W      7     nonce prefix, random
 * 58+N+W            end of header (= H)
 * </pre>
 * A reader rejects ({@code MalformedInputException}) a wrong magic, an unknown version or algorithm, a header
 * length that disagrees with the fields, and any field out of range; it never allocates more than
 * {@link #MAX_HEADER_SIZE} bytes for a header.
 *
 * <h2>Keys and nonces</h2>
 * <pre>
 * segment key = HKDF-SHA256(IKM = data key (32 bytes), salt = header salt (32 bytes),
 *                           info = ASCII "ppml-segment-key-v1" || version (u8) || algorithm (u8)
 *                                  || segment size (u32) || nonce prefix (7), L = 32)
 * nonce_i     = nonce prefix (7) || i (u32) || last (u8: 1 for segment n-1, else 0)
 * segment_i   = AES-256-GCM(segment key, nonce_i, plaintext_i, no associated data) = ciphertext || 16-byte tag
 * </pre>
 * Every header byte is covered: magic and header length by strict parsing; version, algorithm, segment size,
 * salt and nonce prefix by the segment key, so changing any of them makes every segment fail; the key
 * reference (key name, key version, wrapped key) by the key management service, which unwraps a data key only
 * for an authentic wrapping, and by the segment key again, since another wrapped key yields another data key.
 * The key reference is deliberately not hashed into the segment key: re-wrapping a file's data key under a
 * newer primary key version replaces only the header. The segment index in the nonce defeats reordering,
 * dropping and duplicating segments; the last flag defeats truncation at a segment boundary and appended data;
 * the per-file random salt gives each file its own segment key, so a segment of another file (even one with the
 * same data key) does not authenticate. Hence no associated data is needed.
 *
 * <h2>Body</h2>
 * Every segment but the last holds exactly S plaintext bytes; the last holds 0..S. A plaintext whose length is a
 * positive multiple of S ends with a full last segment; the empty plaintext is one empty last segment (the
 * 16-byte tag alone). Segment {@code i} starts at byte {@code H + i * (S + 16)}, so a reader can start at any
 * segment once it knows the header. At most 2<sup>32</sup> segments.
 */
public final class SegmentedAeadFormat {
  /** Plaintext bytes per segment unless configured otherwise: the sweet spot of the JDK's GCM intrinsic. */
  public static final int DEFAULT_SEGMENT_SIZE = 64 * 1024;
  public static final int MIN_SEGMENT_SIZE = 1024;
  public static final int MAX_SEGMENT_SIZE = 8 * 1024 * 1024;
  /** GCM authentication tag bytes at the end of every segment. */
  public static final int TAG_SIZE = 16;

  /** Format version written by this code, the only one it reads. */
  public static final int VERSION = 1;
  /** AES-256-GCM with an HKDF-SHA256 segment key. */
  public static final int ALGORITHM_AES256_GCM_HKDF_SHA256 = 1;
  public static final int SALT_SIZE = 32;
  public static final int NONCE_PREFIX_SIZE = 7;
  public static final int NONCE_SIZE = 12;
  /** Largest number of segments in one file: the segment index is a u32. */
  public static final long MAX_SEGMENTS = 1L << 32;
  /** Header bytes besides the key name and the wrapped key. */
  static final int FIXED_HEADER_SIZE = 4 + 1 + 1 + 2 + 4 + 1 + 4 + 2 + SALT_SIZE + NONCE_PREFIX_SIZE;
  /** Largest header a reader accepts. */
  public static final int MAX_HEADER_SIZE =
      FIXED_HEADER_SIZE + WrappedKey.MAX_NAME_BYTES + WrappedKey.MAX_CIPHERTEXT_BYTES;

  private SegmentedAeadFormat() {}

  /** Throws {@link IllegalArgumentException} naming the bounds unless {@code size} is a valid segment size. */
  public static void checkSegmentSize(int size) {
    if (size < MIN_SEGMENT_SIZE || size > MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("segment size " + size + " out of range: use "
          + MIN_SEGMENT_SIZE + " to " + MAX_SEGMENT_SIZE + " bytes");
    }
  }
}
