package io.ppml.spark.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.format.FileHeader;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.hadoop.io.compress.CompressionOutputStream;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.LineRecordReader;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The codec's split streams under Hadoop's own {@code LineRecordReader}: for any way of cutting an encrypted file
 * into splits, the records of all splits are exactly the lines of the plaintext, each once, in order.
 */
class PpmlCodecSplitTest {
  private static final int SEGMENT = 1024;
  @TempDir
  static Path dir;
  private static final int[] BUFFER_SIZES = {7, 100, 1000, 1024, 4096, 65536};
  private static Configuration conf;
  /** {@code conf} with each of {@link #BUFFER_SIZES} as the line reader's buffer size. */
  private static final java.util.Map<Integer, Configuration> CONF_BY_BUFFER = new java.util.HashMap<>();
  private static KeyManagementService kms;

  @BeforeAll
  static void setUp() throws IOException {
    KmsSettings settings = KmsSettings.local(dir.resolve("home"));
    kms = ExecutorKms.forSettings(settings);
    kms.createKey("customers");
    conf = new Configuration();
    settings.applyTo(conf);
    PpmlWriteOptions.of("customers", SEGMENT).applyTo(conf);
    for (int size : BUFFER_SIZES) {
      Configuration c = new Configuration(conf);
      c.setInt("io.file.buffer.size", size);
      CONF_BY_BUFFER.put(size, c);
    }
  }

  @AfterAll
  static void tearDown() throws PpmlException {
    ExecutorKms.closeAll();
  }

  @Test
  void codecIsFoundBySuffix() {
    CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(new org.apache.hadoop.fs.Path("a.csv.ppml"));
    assertTrue(codec instanceof PpmlCodec, "codec for .ppml: " + codec);
  }

  @Test
  void randomSplitsOfRandomLinesReadEveryLineOnce() throws IOException {
    Random random = new Random(42);
    StringBuilder text = new StringBuilder();
    while (text.length() < 80_000) {
      int kind = random.nextInt(20);
      int length = kind < 12 ? random.nextInt(40) : kind < 19 ? random.nextInt(1500) : 1000 + random.nextInt(4000);
      for (int i = 0; i < length; i++) {
        text.append((char) ('a' + random.nextInt(26)));
      }
      int terminator = random.nextInt(8);
      text.append(terminator == 0 ? "\r\n" : terminator == 1 ? "\r" : "\n");
    }
    checkRandomSplits(text.toString(), random, 60);
  }

  @Test
  void delimitersStraddlingEverySegmentBoundary() throws IOException {
    // Line lengths chosen so that segment boundaries fall before, inside and after "\r\n" and "\n".
    StringBuilder text = new StringBuilder();
    int line = 0;
    while (text.length() < 60 * SEGMENT) {
      int toBoundary = SEGMENT - text.length() % SEGMENT;
      int shift = line++ % 5 - 2; // the terminator starts 2 before .. 2 after the boundary
      int length = Math.max(0, toBoundary + shift - 1);
      text.append("x".repeat(length)).append(line % 2 == 0 ? "\r\n" : "\n");
    }
    checkRandomSplits(text.toString(), new Random(7), 60);
  }

  @Test
  void lastLineWithoutTerminatorAndWholeSegmentFile() throws IOException {
    checkRandomSplits("a\nbb\nlast line without newline", new Random(1), 50);
    checkRandomSplits("y".repeat(SEGMENT - 1) + "\n" + "z".repeat(SEGMENT - 1) + "\n", new Random(2), 50);
    checkRandomSplits("", new Random(3), 5);
  }

  @Test
  void damagedSegmentFailsNamingItAndReleasesNothingOfIt() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 20 * SEGMENT; i++) {
      text.append("row-").append(i).append('\n');
    }
    Path file = encrypt("damaged", text.toString());
    FileHeader header = header(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long at = header.segmentOffset(10) + 100;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 1);
    }
    List<String> got = new ArrayList<>();
    IntegrityException e = assertThrows(IntegrityException.class,
        () -> readSplit(file, 0, Files.size(file), got));
    assertEquals(10, e.segment());
    int released = got.stream().mapToInt(l -> l.length() + 1).sum();
    assertTrue(released <= 10 * SEGMENT, "bytes released before the damaged segment: " + released);
    // A split that starts after the damaged segment does not need it.
    List<String> tail = new ArrayList<>();
    readSplit(file, header.segmentOffset(12), Files.size(file) - header.segmentOffset(12), tail);
    assertTrue(!tail.isEmpty());
  }

  private void checkRandomSplits(String text, Random random, int trials) throws IOException {
    Path plain = dir.resolve("plain-" + random.nextLong() + ".txt");
    Files.writeString(plain, text, StandardCharsets.UTF_8);
    List<String> expected = new ArrayList<>();
    readSplit(plain, 0, Files.size(plain), expected);
    Path file = encrypt("lines-" + random.nextLong(), text);
    long length = Files.size(file);
    FileHeader header = header(file);
    for (int t = 0; t < trials; t++) {
      TreeSet<Long> cuts = new TreeSet<>();
      int n = random.nextInt(20);
      for (int i = 0; i < n; i++) {
        long at = random.nextInt(3) == 0 && length > header.length()
            // near a segment start, where splits are most delicate
            ? header.segmentOffset(random.nextInt((int) header.segmentCount(length))) + random.nextInt(3) - 1
            : (long) (random.nextDouble() * length);
        if (at > 0 && at < length) {
          cuts.add(at);
        }
      }
      if (random.nextInt(4) == 0) {
        cuts.add((long) header.length());
      }
      cuts.add(length);
      List<String> got = new ArrayList<>();
      int bufferSize = BUFFER_SIZES[random.nextInt(BUFFER_SIZES.length)];
      long start = 0;
      for (long end : cuts) {
        readSplit(file, start, end - start, got, bufferSize);
        start = end;
      }
      assertEquals(expected, got, "splits at " + cuts + " with buffer " + bufferSize);
    }
  }

  private Path encrypt(String name, String text) throws IOException {
    Path file = dir.resolve(name + PpmlCodec.EXTENSION);
    PpmlCodec codec = new PpmlCodec();
    codec.setConf(conf);
    try (OutputStream out = Files.newOutputStream(file);
        CompressionOutputStream encrypted = codec.createOutputStream(out)) {
      encrypted.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  private static FileHeader header(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return FileHeader.read(in, file.toString());
    }
  }

  private static void readSplit(Path file, long start, long length, List<String> out) throws IOException {
    readSplit(file, start, length, out, 65536);
  }

  private static void readSplit(Path file, long start, long length, List<String> out, int bufferSize)
      throws IOException {
    Configuration c = CONF_BY_BUFFER.get(bufferSize);
    LineRecordReader reader = new LineRecordReader();
    try {
      reader.initialize(new FileSplit(new org.apache.hadoop.fs.Path(file.toUri()), start, length, null),
          new TaskAttemptContextImpl(c, new TaskAttemptID()));
      while (reader.nextKeyValue()) {
        out.add(reader.getCurrentValue().toString());
      }
    } finally {
      reader.close();
    }
  }
}
