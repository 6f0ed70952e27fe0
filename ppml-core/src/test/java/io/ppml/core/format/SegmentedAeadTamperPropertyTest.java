package io.ppml.core.format;

import static io.ppml.core.format.EncryptedFiles.FILE;
import static io.ppml.core.format.EncryptedFiles.KEY;
import static io.ppml.core.format.EncryptedFiles.encrypt;
import static io.ppml.core.format.EncryptedFiles.header;
import static io.ppml.core.format.EncryptedFiles.plaintext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DataKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random damage of every kind the {@link Tamper} helper knows, over header and body: each one is detected, and
 * no plaintext of a damaged segment (or of anything after it) comes out first, through the stream reader and
 * through random access.
 */
class SegmentedAeadTamperPropertyTest {
  private static final Set<ErrorCode> DETECTED =
      EnumSet.of(ErrorCode.INTEGRITY_FAILURE, ErrorCode.MALFORMED_INPUT, ErrorCode.UNKNOWN_KEY);

  enum Kind {
    FLIP_HEADER_BIT, FLIP_BODY_BIT, TRUNCATE_ANYWHERE, TRUNCATE_AT_SEGMENT, TRUNCATE_INSIDE_SEGMENT,
    DROP_SEGMENT, DUPLICATE_SEGMENT, SWAP_SEGMENTS, APPEND_BYTES, APPEND_SEGMENT, SPLICE_SEGMENT, SWAP_HEADER
  }

  private static TestKms kms;

  @BeforeContainer
  static void createKms() throws IOException {
    kms = TestKms.withKey(KEY);
  }

  @Provide
  Arbitrary<Integer> lengths() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 6 * 1024),
        Arbitraries.of(0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 4096, 5120));
  }

  @Provide
  Arbitrary<Integer> segmentSizes() {
    return Arbitraries.of(1024, 1024, 1500, 2048);
  }

  @Property(tries = 1200)
  void everyDamageIsDetectedBeforeAnyOfItsPlaintext(@ForAll("lengths") int length,
      @ForAll("segmentSizes") int segmentSize, @ForAll Kind kind, @ForAll long seed) throws IOException {
    Random random = new Random(seed);
    byte[] plaintext = plaintext(length, seed);
    byte[] original;
    byte[] other;
    try (DataKey dataKey = kms.generateDataKey(KEY)) {
      // Same data key and primary key for both files: only the per-file salt and nonce prefix tell them apart.
      original = encrypt(dataKey, plaintext, segmentSize);
      other = encrypt(dataKey, plaintext(length, ~seed), segmentSize);
    }
    byte[] damaged = damage(kind, original, other, random);
    assertFalse(Arrays.equals(original, damaged), "the damage changed nothing");
    long limit = firstDamagedSegment(original, damaged, header(original)) * segmentSize;

    checkStream(damaged, plaintext, limit, random);
    checkRandomAccess(damaged, plaintext, limit, segmentSize, random);
  }

  private static void checkStream(byte[] damaged, byte[] plaintext, long limit, Random random) {
    ByteArrayOutputStream returned = new ByteArrayOutputStream();
    PpmlException failure = null;
    try (SegmentedAeadReader r = SegmentedAeadReader.open(new ByteArrayInputStream(damaged), kms, FILE)) {
      byte[] buffer = new byte[5000];
      for (int n; (n = r.read(buffer, 0, 1 + random.nextInt(buffer.length))) >= 0; ) {
        returned.write(buffer, 0, n);
      }
    } catch (PpmlException e) {
      failure = e;
    } catch (IOException e) {
      throw new AssertionError("not a typed error", e);
    }
    assertDetected(failure);
    assertSafePrefix(returned.toByteArray(), plaintext, limit);
  }

  private static void checkRandomAccess(byte[] damaged, byte[] plaintext, long limit, int segmentSize,
      Random random) throws IOException {
    ByteArrayOutputStream returned = new ByteArrayOutputStream();
    PpmlException failure = null;
    try (SegmentedAeadFile f = SegmentedAeadFile.open(new ByteArrayChannel(damaged), kms, FILE)) {
      // Any single segment that does verify is the original one at that index.
      for (int i = 0; i < 3; i++) {
        long index = random.nextInt((int) f.segmentCount());
        try {
          ByteBuffer segment = f.readSegment(index);
          int from = (int) index * segmentSize;
          assertTrue(from + segment.remaining() <= plaintext.length);
          assertTrue(ByteBuffer.wrap(plaintext, from, segment.remaining()).equals(segment));
        } catch (PpmlException e) {
          assertDetected(e);
        }
      }
      byte[] buffer = new byte[5000];
      for (long position = 0, n; (n = f.read(position, buffer, 0, 1 + random.nextInt(buffer.length))) >= 0;
          position += n) {
        returned.write(buffer, 0, (int) n);
      }
    } catch (PpmlException e) {
      failure = e;
    }
    assertDetected(failure);
    assertSafePrefix(returned.toByteArray(), plaintext, limit);
  }

  private static void assertDetected(PpmlException failure) {
    assertNotNull(failure, "damaged file read to a clean end");
    assertTrue(DETECTED.contains(failure.code()), () -> "unexpected error " + failure);
  }

  private static void assertSafePrefix(byte[] returned, byte[] plaintext, long limit) {
    assertTrue(returned.length <= limit,
        () -> returned.length + " bytes returned, damage starts at plaintext byte " + limit);
    assertArrayEquals(Arrays.copyOf(plaintext, returned.length), returned);
  }

  /**
   * The first segment whose stored bytes differ from the original (0 for any header change), counting a cut or
   * an extension as a difference at that offset.
   */
  private static long firstDamagedSegment(byte[] original, byte[] damaged, FileHeader header) {
    int differs = Arrays.mismatch(original, damaged);
    if (differs < header.length()) {
      return 0;
    }
    return (differs - header.length()) / header.ciphertextSegmentSize();
  }

  private static byte[] damage(Kind kind, byte[] file, byte[] other, Random random) throws IOException {
    FileHeader header = header(file);
    int segments = (int) Tamper.segments(file, header);
    int h = header.length();
    switch (kind) {
      case FLIP_HEADER_BIT:
        return Tamper.flipBit(file, random.nextInt(h * 8));
      case FLIP_BODY_BIT:
        return Tamper.flipBit(file, h * 8L + random.nextInt((file.length - h) * 8));
      case TRUNCATE_ANYWHERE:
        return Tamper.truncate(file, random.nextInt(file.length));
      case TRUNCATE_AT_SEGMENT:
        return Tamper.truncateAtSegment(file, header, random.nextInt(segments));
      case TRUNCATE_INSIDE_SEGMENT: {
        int index = random.nextInt(segments);
        int size = Tamper.segment(file, header, index).length;
        return Tamper.truncateInsideSegment(file, header, index, 1 + random.nextInt(size - 1));
      }
      case DROP_SEGMENT:
        return Tamper.dropSegment(file, header, random.nextInt(segments));
      case DUPLICATE_SEGMENT:
        return Tamper.duplicateSegment(file, header, random.nextInt(segments));
      case SWAP_SEGMENTS: {
        if (segments < 2) {
          return Tamper.duplicateSegment(file, header, 0);
        }
        int i = random.nextInt(segments - 1);
        return Tamper.swapSegments(file, header, i, i + 1 + random.nextInt(segments - 1 - i));
      }
      case APPEND_BYTES: {
        byte[] extra = new byte[1 + random.nextInt(2 * header.ciphertextSegmentSize())];
        random.nextBytes(extra);
        return Tamper.append(file, extra);
      }
      case APPEND_SEGMENT:
        return Tamper.append(file, Tamper.segment(other, header(other), random.nextInt(segments)));
      case SPLICE_SEGMENT:
        return Tamper.spliceSegment(file, header, other, header(other), random.nextInt(segments));
      case SWAP_HEADER:
        return Tamper.swapHeader(file, header, header(other));
      default:
        throw new AssertionError(kind);
    }
  }
}
