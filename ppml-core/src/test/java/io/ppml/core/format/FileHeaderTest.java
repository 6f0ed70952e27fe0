package io.ppml.core.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ppml.core.error.MalformedInputException;
import io.ppml.core.kms.WrappedKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FileHeaderTest {
  private static final FileHeader HEADER =
      FileHeader.create(new WrappedKey("k", 3, new byte[40]), 1024, new byte[32], new byte[7]);

  @Test
  void encodesEveryFieldAtItsOffset() throws IOException {
    byte[] encoded = HEADER.encoded();
    assertEquals(58 + 1 + 40, encoded.length);
    ByteBuffer b = ByteBuffer.wrap(encoded);
    assertEquals(0x50504d4c, b.getInt(0));
    assertEquals(1, b.get(4));
    assertEquals(1, b.get(5));
    assertEquals(encoded.length, b.getShort(6));
    assertEquals(1024, b.getInt(8));
    assertEquals(1, b.get(12));
    assertEquals('k', b.get(13));
    assertEquals(3, b.getInt(14));
    assertEquals(40, b.getShort(18));
    FileHeader read = FileHeader.read(new ByteArrayInputStream(encoded), "f");
    assertEquals(HEADER, read);
    assertEquals("k", read.keyName());
    assertEquals(3, read.keyVersion());
    assertEquals(1024, read.segmentSize());
    assertArrayEquals(new byte[40], read.wrappedKey().ciphertext());
  }

  @Test
  void readsExactlyTheHeaderBytes() throws IOException {
    byte[] encoded = HEADER.encoded();
    byte[] withBody = ByteBuffer.allocate(encoded.length + 3).put(encoded).put(new byte[] {7, 8, 9}).array();
    InputStream in = new ByteArrayInputStream(withBody);
    FileHeader.read(in, "f");
    assertEquals(7, in.read());
  }

  @Test
  void segmentArithmeticFollowsTheLayout() throws MalformedInputException {
    int h = HEADER.length();
    assertEquals(1040, HEADER.ciphertextSegmentSize());
    assertEquals(h + 3 * 1040L, HEADER.segmentOffset(3));
    long[][] lengthSegmentsPlaintext = {
        {h + 16, 1, 0}, {h + 17, 1, 1}, {h + 1040, 1, 1024}, {h + 1040 + 16, 2, 1024}, {h + 1040 + 17, 2, 1025},
        {h + 3 * 1040L, 3, 3072},
    };
    for (long[] row : lengthSegmentsPlaintext) {
      assertEquals(row[1], HEADER.segmentCount(row[0]));
      assertEquals(row[2], HEADER.plaintextLength(row[0]));
    }
    for (long impossible : new long[] {0, h, h + 15, h + 1040 + 1, h + 1040 + 15}) {
      assertThrows(MalformedInputException.class, () -> HEADER.segmentCount(impossible));
    }
    assertThrows(MalformedInputException.class, () -> HEADER.segmentCount(h + (1L << 32) * 1040 + 16));
    assertThrows(IllegalArgumentException.class, () -> HEADER.segmentOffset(-1));
  }

  @Test
  void aHostileHeaderLengthAllocatesNothingLarge() {
    // Claims 65535 header bytes: rejected from the 8-byte prefix, before reading or allocating the rest.
    byte[] prefix = {'P', 'P', 'M', 'L', 1, 1, (byte) 0xff, (byte) 0xff};
    assertThrows(MalformedInputException.class, () -> FileHeader.read(new ByteArrayInputStream(prefix), "f"));
  }

  @Test
  void createRefusesBadParameters() {
    WrappedKey key = new WrappedKey("k", 1, new byte[1]);
    assertThrows(IllegalArgumentException.class, () -> FileHeader.create(key, 1023));
    assertThrows(IllegalArgumentException.class, () -> FileHeader.create(key, 1024, new byte[31], new byte[7]));
    assertThrows(IllegalArgumentException.class, () -> FileHeader.create(key, 1024, new byte[32], new byte[8]));
  }
}
