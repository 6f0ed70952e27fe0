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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.secret.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SegmentedAeadRoundTripTest {
  private static TestKms kms;

  @BeforeAll
  static void createKms() throws IOException {
    kms = TestKms.withKey(KEY);
  }

  static Stream<Arguments> sizes() {
    return IntStream.of(SegmentedAeadFormat.MIN_SEGMENT_SIZE, 4096, SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE)
        .boxed()
        .flatMap(s -> IntStream.of(0, 1, s - 1, s, s + 1, 2 * s, 3 * s + 7, 5 * s - 1)
            .mapToObj(n -> Arguments.of(s, n)));
  }

  @ParameterizedTest(name = "segment {0}, plaintext {1}")
  @MethodSource("sizes")
  void roundTripsAndHasTheSpecifiedLength(int segmentSize, int length) throws IOException {
    byte[] plaintext = plaintext(length, length);
    byte[] file = encrypt(kms, plaintext, segmentSize);
    FileHeader header = header(file);

    long segments = Math.max(1, (length + segmentSize - 1) / segmentSize);
    assertEquals(header.length() + length + segments * SegmentedAeadFormat.TAG_SIZE, file.length);
    assertEquals(segments, header.segmentCount(file.length));
    assertEquals(length, header.plaintextLength(file.length));
    assertArrayEquals(plaintext, decrypt(kms, file));
    try (SegmentedAeadFile f = SegmentedAeadFile.open(new ByteArrayChannel(file), kms, FILE)) {
      assertEquals(segments, f.segmentCount());
      assertEquals(length, f.plaintextLength());
      byte[] all = new byte[length];
      assertEquals(length, f.read(0, all, 0, length));
      assertEquals(-1, f.read(length, new byte[1], 0, 1));
      assertArrayEquals(plaintext, all);
    }
  }

  @Test
  void byteAtATimeWritesAndReadsMatchBulk() throws IOException {
    int segmentSize = SegmentedAeadFormat.MIN_SEGMENT_SIZE;
    byte[] plaintext = plaintext(3 * segmentSize, 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SegmentedAeadWriter w = SegmentedAeadWriter.open(out, kms, KEY, segmentSize, FILE)) {
      for (byte b : plaintext) {
        w.write(b);
      }
    }
    byte[] file = out.toByteArray();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (SegmentedAeadReader r = SegmentedAeadReader.open(new ByteArrayInputStream(file), kms, FILE)) {
      for (int b; (b = r.read()) >= 0; ) {
        read.write(b);
      }
      assertEquals(-1, r.read());
      assertEquals(3, r.currentSegment());
    }
    assertArrayEquals(plaintext, read.toByteArray());
  }

  @Test
  void mixedChunkSizesAndTrickleInputReadTheSamePlaintext() throws IOException {
    int segmentSize = 4096;
    byte[] plaintext = plaintext(11 * segmentSize + 123, 11);
    Random random = new Random(7);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SegmentedAeadWriter w = SegmentedAeadWriter.open(out, kms, KEY, segmentSize, FILE)) {
      for (int off = 0; off < plaintext.length; ) {
        int n = Math.min(plaintext.length - off, random.nextInt(3 * segmentSize));
        w.write(plaintext, off, n);
        w.flush();
        off += n;
      }
    }
    // An input stream that hands out at most 100 bytes per call, as sockets do.
    InputStream trickle = new ByteArrayInputStream(out.toByteArray()) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 100));
      }
    };
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    try (SegmentedAeadReader r = SegmentedAeadReader.open(trickle, kms, FILE)) {
      byte[] buffer = new byte[3 * segmentSize];
      for (int n; (n = r.read(buffer, 0, 1 + random.nextInt(buffer.length))) >= 0; ) {
        read.write(buffer, 0, n);
      }
    }
    assertArrayEquals(plaintext, read.toByteArray());
  }

  @Test
  void fortyMebibytesRoundTripAtTheDefaultSegmentSize() throws IOException {
    byte[] plaintext = plaintext(40 << 20, 40);
    byte[] file = encrypt(kms, plaintext, SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE);
    assertArrayEquals(plaintext, decrypt(kms, file));
  }

  @Test
  void flushWritesTheHeaderButNoPartialSegment() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SegmentedAeadWriter w = SegmentedAeadWriter.open(out, kms, KEY, 1024, FILE);
    w.write(new byte[1500]);
    w.flush();
    FileHeader header = w.header();
    // One full segment went out because more bytes followed it; the 476 buffered bytes did not.
    assertEquals(header.length() + header.ciphertextSegmentSize(), out.size());
    w.write(new byte[548]);
    w.flush();
    // Exactly two segments' worth of plaintext buffered: the second is held back until close decides "last".
    assertEquals(header.length() + header.ciphertextSegmentSize(), out.size());
    w.close();
    assertEquals(header.length() + 2L * header.ciphertextSegmentSize(), out.size());
    assertArrayEquals(new byte[2048], decrypt(kms, out.toByteArray()));
  }

  @Test
  void anUnclosedWriterLeavesAFileThatReadsAsTruncated() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SegmentedAeadWriter w = SegmentedAeadWriter.open(out, kms, KEY, 1024, FILE);
    w.write(plaintext(5000, 1));
    w.flush();
    IntegrityException e = assertThrows(IntegrityException.class, () -> decrypt(kms, out.toByteArray()));
    assertEquals(3, e.segment());
  }

  @Test
  void fromSegmentReadsThePlaintextFromThatSegmentOn() throws IOException {
    int segmentSize = 1024;
    byte[] plaintext = plaintext(7 * segmentSize + 300, 8);
    byte[] file = encrypt(kms, plaintext, segmentSize);
    FileHeader header = header(file);
    for (long k = 0; k < header.segmentCount(file.length); k++) {
      int offset = (int) header.segmentOffset(k);
      InputStream in = new ByteArrayInputStream(file, offset, file.length - offset);
      SegmentCipher cipher;
      try (SecretBytes dataKey = kms.unwrap(header.wrappedKey())) {
        cipher = SegmentCipher.create(header, dataKey, FILE);
      }
      try (SegmentedAeadReader r = SegmentedAeadReader.fromSegment(in, header, cipher, k, FILE)) {
        assertEquals(k, r.currentSegment());
        assertArrayEquals(Arrays.copyOfRange(plaintext, (int) k * segmentSize, plaintext.length), r.readAllBytes());
      }
    }
  }

  @Test
  void fromSegmentAtTheWrongOffsetFailsAtThatSegment() throws IOException {
    byte[] file = encrypt(kms, plaintext(5000, 9), 1024);
    FileHeader header = header(file);
    int offset = (int) header.segmentOffset(2);
    SegmentCipher cipher;
    try (SecretBytes dataKey = kms.unwrap(header.wrappedKey())) {
      cipher = SegmentCipher.create(header, dataKey, FILE);
    }
    // Claims to start at segment 1 but is positioned at segment 2.
    try (SegmentedAeadReader r = SegmentedAeadReader.fromSegment(
        new ByteArrayInputStream(file, offset, file.length - offset), header, cipher, 1, FILE)) {
      IntegrityException e = assertThrows(IntegrityException.class, r::read);
      assertEquals(1, e.segment());
    }
  }

  @Test
  void randomAccessReturnsEverySliceOfThePlaintext(@TempDir Path dir) throws IOException {
    int segmentSize = 1024;
    byte[] plaintext = plaintext(9 * segmentSize + 77, 10);
    Path path = dir.resolve("random.ppml");
    Files.write(path, encrypt(kms, plaintext, segmentSize));
    Random random = new Random(10);
    try (SegmentedAeadFile f = SegmentedAeadFile.open(path, kms)) {
      for (long i = 0; i < f.segmentCount(); i++) {
        ByteBuffer segment = f.readSegment(i);
        int from = (int) i * segmentSize;
        assertEquals(ByteBuffer.wrap(plaintext, from, Math.min(segmentSize, plaintext.length - from)), segment);
      }
      for (int trial = 0; trial < 300; trial++) {
        int position = random.nextInt(plaintext.length + 10);
        int len = random.nextInt(3 * segmentSize);
        byte[] dst = new byte[len + 4];
        int n = f.read(position, dst, 2, len);
        int expected = position >= plaintext.length && len > 0 ? -1 : Math.min(len, plaintext.length - position);
        assertEquals(expected, n);
        if (n > 0) {
          assertArrayEquals(Arrays.copyOfRange(plaintext, position, position + n), Arrays.copyOfRange(dst, 2, 2 + n));
        }
      }
      assertThrows(IndexOutOfBoundsException.class, () -> f.readSegment(f.segmentCount()));
    }
  }

  @Test
  void oneRandomAccessFileServesSeveralThreads() throws Exception {
    byte[] plaintext = plaintext(20 * 1024 + 5, 19);
    try (SegmentedAeadFile f = SegmentedAeadFile.open(new ByteArrayChannel(encrypt(kms, plaintext, 1024)), kms, FILE)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          Random random = new Random(t);
          done.add(pool.submit(() -> {
            for (int i = 0; i < 200; i++) {
              int position = random.nextInt(plaintext.length);
              byte[] dst = new byte[random.nextInt(3000) + 1];
              int n = f.read(position, dst, 0, dst.length);
              assertArrayEquals(Arrays.copyOfRange(plaintext, position, position + n), Arrays.copyOf(dst, n));
            }
            return null;
          }));
        }
        for (Future<?> d : done) {
          d.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aDataKeyOfAnotherFileFailsAtSegmentZero() throws IOException {
    byte[] file = encrypt(kms, plaintext(3000, 12), 1024);
    FileHeader header = header(file);
    try (DataKey other = kms.generateDataKey(KEY);
        SegmentCipher cipher = SegmentCipher.create(header, other.plaintext(), FILE)) {
      int offset = header.length();
      SegmentedAeadReader r = SegmentedAeadReader.fromSegment(
          new ByteArrayInputStream(file, offset, file.length - offset), header, cipher, 0, FILE);
      IntegrityException e = assertThrows(IntegrityException.class, r::read);
      assertEquals(0, e.segment());
      assertEquals(FILE, e.file());
      // The reader stays failed.
      assertThrows(IntegrityException.class, r::read);
    }
  }

  @Test
  void aMissingPrimaryKeyComesFromTheKms() throws IOException {
    byte[] file = encrypt(kms, plaintext(10, 13), 1024);
    TestKms empty = new TestKms();
    UnknownKeyException e = assertThrows(UnknownKeyException.class, () -> decrypt(empty, file));
    assertEquals(KEY, e.keyName());
  }

  @Test
  void twoFilesWithTheSameDataKeyGetDifferentSaltsAndNoncePrefixes() throws IOException {
    try (DataKey dataKey = kms.generateDataKey(KEY)) {
      byte[] plaintext = plaintext(100, 14);
      FileHeader a = header(encrypt(dataKey, plaintext, 1024));
      FileHeader b = header(encrypt(dataKey, plaintext, 1024));
      assertTrue(!Arrays.equals(a.salt(), b.salt()) && !Arrays.equals(a.noncePrefix(), b.noncePrefix()));
    }
  }

  @Test
  void segmentSizeOutOfBoundsIsRejectedBeforeAnyKeyIsMade() {
    for (int bad : new int[] {0, -1, 1023, 8 * 1024 * 1024 + 1, Integer.MAX_VALUE}) {
      assertThrows(IllegalArgumentException.class, () -> SegmentedAeadFormat.checkSegmentSize(bad));
      assertThrows(IllegalArgumentException.class,
          () -> SegmentedAeadWriter.open(new ByteArrayOutputStream(), kms, KEY, bad, FILE));
    }
    SegmentedAeadFormat.checkSegmentSize(1024);
    SegmentedAeadFormat.checkSegmentSize(8 * 1024 * 1024);
  }

  @Test
  void segmentCipherRefusesWrongSegmentLengthsAndIndexes() throws IOException {
    try (DataKey dataKey = kms.generateDataKey(KEY)) {
      FileHeader header = FileHeader.create(dataKey.wrapped(), 1024);
      try (SegmentCipher cipher = SegmentCipher.create(header, dataKey.plaintext(), FILE)) {
        ByteBuffer out = ByteBuffer.allocate(2048);
        assertThrows(IllegalArgumentException.class,
            () -> cipher.encrypt(0, false, ByteBuffer.allocate(1000), out.clear()));
        assertThrows(IllegalArgumentException.class,
            () -> cipher.encrypt(0, true, ByteBuffer.allocate(1025), out.clear()));
        assertThrows(IllegalArgumentException.class,
            () -> cipher.encrypt(1L << 32, true, ByteBuffer.allocate(10), out.clear()));
        assertThrows(IllegalArgumentException.class,
            () -> cipher.encrypt(-1, true, ByteBuffer.allocate(10), out.clear()));
        // The largest index is usable.
        assertEquals(26, cipher.encrypt((1L << 32) - 1, true, ByteBuffer.allocate(10), out.clear()));
        IntegrityException e = assertThrows(IntegrityException.class,
            () -> cipher.decrypt(4, true, ByteBuffer.allocate(15), ByteBuffer.allocate(1024)));
        assertEquals(4, e.segment());
      }
    }
  }

  @Test
  void failedDecryptionLeavesNoPlaintextAndBuffersWhereTheyWere() throws IOException {
    try (DataKey dataKey = kms.generateDataKey(KEY)) {
      FileHeader header = FileHeader.create(dataKey.wrapped(), 1024);
      try (SegmentCipher cipher = SegmentCipher.create(header, dataKey.plaintext(), FILE)) {
        byte[] plaintext = plaintext(1024, 15);
        ByteBuffer sealed = ByteBuffer.allocate(1040);
        cipher.encrypt(3, false, ByteBuffer.wrap(plaintext), sealed);
        sealed.flip();
        sealed.put(100, (byte) (sealed.get(100) ^ 1));
        ByteBuffer out = ByteBuffer.allocate(1030).position(3);
        IntegrityException e = assertThrows(IntegrityException.class, () -> cipher.decrypt(3, false, sealed, out));
        assertEquals(3, e.segment());
        assertEquals(3, out.position());
        assertEquals(0, sealed.position());
        assertArrayEquals(new byte[1030], out.array());
        sealed.put(100, (byte) (sealed.get(100) ^ 1));
        // Right bytes, wrong position or wrong last flag: still rejected.
        assertThrows(IntegrityException.class, () -> cipher.decrypt(4, false, sealed, out));
        assertThrows(IntegrityException.class, () -> cipher.decrypt(3, true, sealed, out));
        assertEquals(1024, cipher.decrypt(3, false, sealed, out));
        assertArrayEquals(plaintext, Arrays.copyOfRange(out.array(), 3, 1027));
      }
    }
  }

  @Test
  void aWriterWhoseOutputFailedNeverFinishesTheFile() throws IOException {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    OutputStream failing = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (written.size() + len > 2000) {
          throw new IOException("disk full");
        }
        written.write(b, off, len);
      }
    };
    SegmentedAeadWriter w = SegmentedAeadWriter.open(failing, kms, KEY, 1024, FILE);
    assertThrows(IOException.class, () -> w.write(plaintext(5000, 17)));
    assertThrows(IOException.class, () -> w.write(1));
    assertThrows(IOException.class, w::close);
    // Only the header and segment 0 went out, and no last segment was added afterwards.
    assertEquals(w.header().length() + w.header().ciphertextSegmentSize(), written.size());
    IntegrityException e = assertThrows(IntegrityException.class, () -> decrypt(kms, written.toByteArray()));
    assertEquals(0, e.segment());
  }

  @Test
  void theJvmWideGcmWarmUpHasRunAfterAFewSegments() throws IOException {
    decrypt(kms, encrypt(kms, plaintext(GcmWarmUp.AFTER_SEGMENTS * 1024, 18), 1024));
    assertTrue(GcmWarmUp.isDone());
  }

  @Test
  void closedStreamsRefuseUse() throws IOException {
    byte[] file = encrypt(kms, plaintext(10, 16), 1024);
    SegmentedAeadReader r = SegmentedAeadReader.open(new ByteArrayInputStream(file), kms, FILE);
    r.close();
    assertThrows(IOException.class, r::read);
    SegmentedAeadWriter w = SegmentedAeadWriter.open(new ByteArrayOutputStream(), kms, KEY, 1024, FILE);
    w.close();
    w.close();
    assertThrows(IOException.class, () -> w.write(1));
  }
}
