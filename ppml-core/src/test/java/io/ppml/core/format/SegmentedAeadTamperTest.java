package io.ppml.core.format;

import static io.ppml.core.format.EncryptedFiles.FILE;
import static io.ppml.core.format.EncryptedFiles.KEY;
import static io.ppml.core.format.EncryptedFiles.decrypt;
import static io.ppml.core.format.EncryptedFiles.encrypt;
import static io.ppml.core.format.EncryptedFiles.header;
import static io.ppml.core.format.EncryptedFiles.plaintext;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.MalformedInputException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One damage of each kind at a known place of a five-segment file (segment size 1024, 4596 plaintext bytes,
 * key name "format-test" so the header is 58 + 11 + W bytes), each expecting one error type and, for integrity
 * failures, one segment, with exactly the plaintext of the segments before it returned first.
 */
class SegmentedAeadTamperTest {
  private static final int S = 1024;
  private static final byte[] PLAINTEXT = plaintext(4 * S + 500, 1);
  private static TestKms kms;
  private static byte[] file;
  private static byte[] other;
  private static FileHeader header;
  private static int h;

  @BeforeAll
  static void encryptFiles() throws IOException {
    kms = TestKms.withKey(KEY);
    kms.createKey("format-tesu");
    try (DataKey dataKey = kms.generateDataKey(KEY)) {
      file = encrypt(dataKey, PLAINTEXT, S);
      other = encrypt(dataKey, plaintext(PLAINTEXT.length, 2), S);
    }
    header = header(file);
    h = header.length();
  }

  static Stream<Arguments> integrityDamages() {
    return Stream.of(
        damage("bit in segment 2", f -> Tamper.flipBit(f, (h + 2L * (S + 16) + 100) * 8 + 3), 2),
        damage("bit in the tag of the last segment", f -> Tamper.flipBit(f, (f.length - 1) * 8L), 4),
        damage("cut at the start of the last segment", f -> Tamper.truncateAtSegment(f, header, 4), 3),
        damage("cut inside segment 2", f -> Tamper.truncateInsideSegment(f, header, 2, 500), 2),
        damage("cut inside the last tag", f -> Tamper.truncate(f, f.length - 1), 4),
        damage("nothing after the header", f -> Tamper.truncateAtSegment(f, header, 0), 0),
        damage("ten bytes after the header", f -> Tamper.truncate(f, h + 10), 0),
        damage("segment 1 dropped", f -> Tamper.dropSegment(f, header, 1), 1),
        damage("last segment dropped", f -> Tamper.dropSegment(f, header, 4), 3),
        damage("segment 1 twice", f -> Tamper.duplicateSegment(f, header, 1), 2),
        damage("segments 1 and 3 swapped", f -> Tamper.swapSegments(f, header, 1, 3), 1),
        damage("one byte appended", f -> Tamper.append(f, new byte[1]), 4),
        damage("last segment appended again", f -> Tamper.append(f, Tamper.segment(f, header, 4)), 4),
        damage("segment 2 of another file", f -> Tamper.spliceSegment(f, header, other, header, 2), 2),
        damage("header of another file", f -> Tamper.swapHeader(f, header, headerOf(other)), 0),
        damage("segment size changed to 3072", f -> Tamper.flipBit(f, 10 * 8 + 3), 0),
        damage("salt changed", f -> Tamper.flipBit(f, (h - 39) * 8L), 0),
        damage("nonce prefix changed", f -> Tamper.flipBit(f, (h - 1) * 8L), 0));
  }

  private static Arguments damage(String name, UnaryOperator<byte[]> damage, long segment) {
    return Arguments.of(name, damage, segment);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("integrityDamages")
  void damageIsReportedAtItsSegmentAfterExactlyThePlaintextBeforeIt(
      String name, UnaryOperator<byte[]> damage, long segment) throws IOException {
    byte[] damaged = damage.apply(file);
    ByteArrayOutputStream returned = new ByteArrayOutputStream();
    IntegrityException e = assertThrows(IntegrityException.class, () -> {
      try (SegmentedAeadReader r = SegmentedAeadReader.open(new ByteArrayInputStream(damaged), kms, FILE)) {
        byte[] buffer = new byte[700];
        for (int n; (n = r.read(buffer)) >= 0; ) {
          returned.write(buffer, 0, n);
        }
      }
    });
    assertEquals(segment, e.segment());
    assertEquals(FILE, e.file());
    assertArrayEquals(Arrays.copyOf(PLAINTEXT, (int) segment * S), returned.toByteArray());
  }

  @Test
  void theReaderStaysFailedAfterTheFirstError() throws IOException {
    byte[] damaged = Tamper.flipBit(file, (h + 1L * (S + 16) + 5) * 8);
    SegmentedAeadReader r = SegmentedAeadReader.open(new ByteArrayInputStream(damaged), kms, FILE);
    assertEquals(S, r.readNBytes(S).length);
    IntegrityException first = assertThrows(IntegrityException.class, r::read);
    assertEquals(1, first.segment());
    for (int i = 0; i < 3; i++) {
      IntegrityException again = assertThrows(IntegrityException.class, () -> r.read(new byte[4096]));
      assertEquals(1, again.segment());
    }
  }

  @Test
  void randomAccessRejectsAFileCutAtASegmentBoundaryWhenOpened() {
    byte[] damaged = Tamper.truncateAtSegment(file, header, 3);
    IntegrityException e = assertThrows(IntegrityException.class,
        () -> SegmentedAeadFile.open(new ByteArrayChannel(damaged), kms, FILE));
    assertEquals(2, e.segment());
  }

  @Test
  void randomAccessRejectsALengthNoFileCanHave() {
    byte[] damaged = Tamper.truncateInsideSegment(file, header, 3, 5);
    IntegrityException e = assertThrows(IntegrityException.class,
        () -> SegmentedAeadFile.open(new ByteArrayChannel(damaged), kms, FILE));
    assertEquals(3, e.segment());
  }

  @Test
  void randomAccessFailsOnlyOnTheDamagedSegment() throws IOException {
    byte[] damaged = Tamper.flipBit(file, (h + 2L * (S + 16)) * 8);
    try (SegmentedAeadFile f = SegmentedAeadFile.open(new ByteArrayChannel(damaged), kms, FILE)) {
      assertEquals(ByteBuffer.wrap(PLAINTEXT, S, S), f.readSegment(1));
      IntegrityException e = assertThrows(IntegrityException.class, () -> f.readSegment(2));
      assertEquals(2, e.segment());
      byte[] dst = new byte[3 * S];
      assertThrows(IntegrityException.class, () -> f.read(S, dst, 0, dst.length));
      // Nothing from the range past segment 1 reached the caller's array.
      assertArrayEquals(new byte[2 * S], Arrays.copyOfRange(dst, S, 3 * S));
      assertEquals(S, f.read(3L * S, dst, 0, S));
      assertArrayEquals(Arrays.copyOfRange(PLAINTEXT, 3 * S, 4 * S), Arrays.copyOf(dst, S));
    }
  }

  /** Header offsets: 0 magic, 4 version, 5 algorithm, 6 header length, 8 segment size, 12 name length. */
  @Test
  void headerLayoutDamageIsMalformedInput() {
    int[][] changes = {
        {0, 'X'}, {3, 'l'}, {4, 2}, {4, 0}, {5, 2}, {6, 0xff}, {7, h - 1}, {7, h + 1},
        {8, 1}, {9, 0x80}, {10, 0}, {12, 0}, {12, 200}, {13, '-'}, {13, ' '},
    };
    for (int[] change : changes) {
      byte[] damaged = file.clone();
      damaged[change[0]] = (byte) change[1];
      try {
        decrypt(kms, damaged);
        fail("no error for byte " + change[0] + " = " + change[1]);
      } catch (MalformedInputException expected) {
        // the header parser refused it
      } catch (IOException e) {
        throw new AssertionError("byte " + change[0] + " = " + change[1] + " gave " + e, e);
      }
    }
    assertThrows(MalformedInputException.class, () -> decrypt(kms, Arrays.copyOf(file, h - 1)));
    assertThrows(MalformedInputException.class, () -> decrypt(kms, new byte[0]));
  }

  @Test
  void keyReferenceDamageFailsInTheKms() throws IOException {
    // Key name "format-test" -> "format-tesu", a key that exists: its wrapping does not authenticate there.
    byte[] renamed = file.clone();
    renamed[13 + 10] = 'u';
    IntegrityException wrongKey = assertThrows(IntegrityException.class, () -> decrypt(kms, renamed));
    assertEquals(-1, wrongKey.segment());
    byte[] otherVersion = file.clone();
    otherVersion[13 + 11 + 3] = 9;
    UnknownKeyException missing = assertThrows(UnknownKeyException.class, () -> decrypt(kms, otherVersion));
    assertEquals(9, missing.version());
    byte[] wrapped = Tamper.flipBit(file, (13 + 11 + 4 + 2 + 5) * 8L);
    assertThrows(IntegrityException.class, () -> decrypt(kms, wrapped));
  }

  @Test
  void rewrappingTheDataKeyReplacesOnlyTheHeader() throws IOException {
    kms.rotateKey(KEY);
    WrappedKey rewrapped = kms.rewrap(header.wrappedKey());
    assertEquals(2, rewrapped.keyVersion());
    FileHeader newHeader = header.withWrappedKey(rewrapped);
    byte[] moved = Tamper.swapHeader(file, header, newHeader);
    assertArrayEquals(PLAINTEXT, decrypt(kms, moved));
    assertEquals(2, header(moved).keyVersion());
  }

  private static FileHeader headerOf(byte[] f) {
    try {
      return header(f);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
