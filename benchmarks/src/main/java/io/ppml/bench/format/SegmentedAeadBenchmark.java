package io.ppml.bench.format;

import io.ppml.core.error.PpmlException;
import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentCipher;
import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.format.SegmentedAeadReader;
import io.ppml.core.format.SegmentedAeadWriter;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the segmented format at 64 KiB segments next to the JDK's raw AES-256-GCM on the same 64 KiB
 * buffers. Every benchmark reports operations per second where one operation is 64 KiB of plaintext, so bytes
 * per second = score x 65536 and the rows compare directly: {@code stream*} push a 64 MiB plaintext through the
 * writer or reader (1024 segments per invocation), {@code jdkStream*} run raw GCM over the same 64 MiB in 64 KiB
 * calls (the baseline for {@code stream*}: same memory traffic, no format), {@code segment*} call
 * {@link SegmentCipher} once on one cache-resident 64 KiB buffer, {@code jdk*} call
 * {@link Cipher#doFinal(ByteBuffer, ByteBuffer)} once on the same buffer with a fresh nonce (the baseline for
 * {@code segment*}).
 *
 * <p>Setup first runs the JDK's AES-GCM on 6000 buffers of 1 KiB, the same warm-up the format runs once per JVM:
 * HotSpot compiles GCM's intrinsic path only after thousands of calls, which 1-second iterations of 64 KiB calls
 * on a cold JVM do not reach (they would measure GCM at about 0.05 GB/s). Every benchmark gets the same warm-up,
 * so the raw JDK rows are not handicapped.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SegmentedAeadBenchmark {
  private static final int SEGMENT = SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE;
  private static final int SEGMENTS_PER_FILE = 1024;

  private byte[] plaintext;
  private byte[] file;
  private byte[] readBuffer;
  private DataKey dataKey;
  private FileHeader header;
  private SegmentCipher segmentCipher;
  private ByteBuffer segmentIn;
  private ByteBuffer segmentOut;
  private ByteBuffer sealedSegment;
  private long nextIndex;
  private Cipher jdk;
  private SecretKeySpec jdkKey;
  private byte[] jdkNonce;
  private ByteBuffer jdkSealed;
  private byte[] jdkSealedStream;
  private byte[] streamOut;

  @Setup
  public void setUp() throws IOException, GeneralSecurityException {
    SplittableRandom random = new SplittableRandom(1);
    plaintext = new byte[SEGMENTS_PER_FILE * SEGMENT];
    random.nextBytes(plaintext);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    byte[] wrapped = new byte[60];
    random.nextBytes(wrapped);
    dataKey = new DataKey(SecretBytes.copyOf(key), new WrappedKey("bench", 1, wrapped));
    ByteArrayOutputStream out = new ByteArrayOutputStream(plaintext.length + 64 * 1024);
    try (SegmentedAeadWriter w = new SegmentedAeadWriter(out, dataKey, SEGMENT, "bench")) {
      w.write(plaintext);
    }
    file = out.toByteArray();
    readBuffer = new byte[SEGMENT];
    header = FileHeader.read(new ByteArrayInputStream(file), "bench");

    segmentCipher = SegmentCipher.create(header, dataKey.plaintext(), "bench");
    segmentIn = ByteBuffer.wrap(plaintext, 0, SEGMENT).slice();
    segmentOut = ByteBuffer.allocate(SEGMENT + SegmentedAeadFormat.TAG_SIZE);
    sealedSegment = ByteBuffer.wrap(file, (int) header.segmentOffset(0), SEGMENT + SegmentedAeadFormat.TAG_SIZE)
        .slice();

    jdk = Cipher.getInstance("AES/GCM/NoPadding");
    jdkKey = new SecretKeySpec(key, "AES");
    jdkNonce = new byte[12];
    warmUp();
    jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, jdkNonce));
    jdkSealed = ByteBuffer.allocate(SEGMENT + 16);
    jdk.doFinal(segmentIn.duplicate(), jdkSealed);
    jdkSealed.flip();
    streamOut = new byte[SEGMENT + 16];
    jdkSealedStream = new byte[SEGMENTS_PER_FILE * (SEGMENT + 16)];
    for (int i = 0; i < SEGMENTS_PER_FILE; i++) {
      jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, streamNonce(i)));
      jdk.doFinal(ByteBuffer.wrap(plaintext, i * SEGMENT, SEGMENT),
          ByteBuffer.wrap(jdkSealedStream, i * (SEGMENT + 16), SEGMENT + 16));
    }
  }

  /** Nonces of the raw stream baseline; byte 0 keeps them apart from the other benchmarks' nonces. */
  private static byte[] streamNonce(int i) {
    return ByteBuffer.allocate(12).put((byte) 2).putInt(8, i).array();
  }

  private void warmUp() throws GeneralSecurityException {
    ByteBuffer small = ByteBuffer.allocate(1024);
    ByteBuffer sealed = ByteBuffer.allocate(1024 + 16);
    byte[] nonce = new byte[12];
    nonce[0] = 1; // apart from the nonces the benchmarks use
    for (int i = 0; i < 6000; i++) {
      ByteBuffer.wrap(nonce, 8, 4).putInt(i);
      jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, nonce));
      jdk.doFinal(small.clear(), sealed.clear());
      jdk.init(Cipher.DECRYPT_MODE, jdkKey, new GCMParameterSpec(128, nonce));
      jdk.doFinal(sealed.flip(), small.clear());
    }
  }

  @TearDown
  public void tearDown() {
    segmentCipher.close();
    dataKey.close();
  }

  @Benchmark
  @OperationsPerInvocation(SEGMENTS_PER_FILE)
  public long streamEncrypt() throws IOException {
    CountingSink sink = new CountingSink();
    try (SegmentedAeadWriter w = new SegmentedAeadWriter(sink, dataKey, SEGMENT, "bench")) {
      w.write(plaintext);
    }
    return sink.count;
  }

  @Benchmark
  @OperationsPerInvocation(SEGMENTS_PER_FILE)
  public long streamDecrypt() throws IOException {
    SegmentCipher cipher = SegmentCipher.create(header, dataKey.plaintext(), "bench");
    int offset = header.length();
    long total = 0;
    try (SegmentedAeadReader r = SegmentedAeadReader.fromSegment(
        new ByteArrayInputStream(file, offset, file.length - offset), header, cipher, 0, "bench")) {
      for (int n; (n = r.read(readBuffer)) >= 0; ) {
        total += n;
      }
    }
    return total;
  }

  @Benchmark
  @OperationsPerInvocation(SEGMENTS_PER_FILE)
  public long jdkStreamEncrypt() throws GeneralSecurityException {
    long total = 0;
    for (int i = 0; i < SEGMENTS_PER_FILE; i++) {
      long n = ++nextIndex;
      for (int b = 0; b < 8; b++) {
        jdkNonce[4 + b] = (byte) (n >>> (8 * b));
      }
      jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, jdkNonce));
      total += jdk.doFinal(ByteBuffer.wrap(plaintext, i * SEGMENT, SEGMENT), ByteBuffer.wrap(streamOut));
    }
    return total;
  }

  @Benchmark
  @OperationsPerInvocation(SEGMENTS_PER_FILE)
  public long jdkStreamDecrypt() throws GeneralSecurityException {
    long total = 0;
    for (int i = 0; i < SEGMENTS_PER_FILE; i++) {
      jdk.init(Cipher.DECRYPT_MODE, jdkKey, new GCMParameterSpec(128, streamNonce(i)));
      total += jdk.doFinal(ByteBuffer.wrap(jdkSealedStream, i * (SEGMENT + 16), SEGMENT + 16),
          ByteBuffer.wrap(readBuffer));
    }
    return total;
  }

  @Benchmark
  public int segmentEncrypt() throws PpmlException {
    // A new index every call: one key must never seal two segments under one nonce.
    long index = nextIndex++ & 0xffffffffL;
    return segmentCipher.encrypt(index, false, segmentIn.clear(), segmentOut.clear());
  }

  @Benchmark
  public int segmentDecrypt() throws PpmlException {
    return segmentCipher.decrypt(0, false, sealedSegment.clear(), segmentOut.clear());
  }

  @Benchmark
  public int jdkEncrypt() throws GeneralSecurityException {
    long n = ++nextIndex;
    for (int i = 0; i < 8; i++) {
      jdkNonce[4 + i] = (byte) (n >>> (8 * i));
    }
    jdk.init(Cipher.ENCRYPT_MODE, jdkKey, new GCMParameterSpec(128, jdkNonce));
    return jdk.doFinal(segmentIn.clear(), segmentOut.clear());
  }

  @Benchmark
  public int jdkDecrypt() throws GeneralSecurityException {
    jdk.init(Cipher.DECRYPT_MODE, jdkKey, new GCMParameterSpec(128, new byte[12]));
    return jdk.doFinal(jdkSealed.clear(), segmentOut.clear());
  }

  /** Discards what is written, counting it, so the benchmark measures encryption rather than copying. */
  private static final class CountingSink extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
