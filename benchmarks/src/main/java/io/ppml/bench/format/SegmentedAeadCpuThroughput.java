package io.ppml.bench.format;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operations of {@link SegmentedAeadBenchmark}, measured in bytes per CPU-second of the measuring thread
 * instead of per wall-clock second, so that figures taken on a shared, busy machine still say what one core
 * does. Rounds alternate between the operations; the median round is reported.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.ppml.bench.format.SegmentedAeadCpuThroughput [rounds]}
 */
public final class SegmentedAeadCpuThroughput {
  private static final double SEGMENT = 64 * 1024;
  private static final long ROUND_NANOS = 500_000_000L;

  private interface Operation {
    /** Runs once and returns how many 64 KiB segments it processed. */
    int run() throws Exception;
  }

  private SegmentedAeadCpuThroughput() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    SegmentedAeadBenchmark b = new SegmentedAeadBenchmark();
    b.setUp();
    Map<String, Operation> operations = new LinkedHashMap<>();
    operations.put("jdkEncrypt", () -> { b.jdkEncrypt(); return 1; });
    operations.put("segmentEncrypt", () -> { b.segmentEncrypt(); return 1; });
    operations.put("jdkStreamEncrypt", () -> { b.jdkStreamEncrypt(); return 1024; });
    operations.put("streamEncrypt", () -> { b.streamEncrypt(); return 1024; });
    operations.put("jdkDecrypt", () -> { b.jdkDecrypt(); return 1; });
    operations.put("segmentDecrypt", () -> { b.segmentDecrypt(); return 1; });
    operations.put("jdkStreamDecrypt", () -> { b.jdkStreamDecrypt(); return 1024; });
    operations.put("streamDecrypt", () -> { b.streamDecrypt(); return 1024; });
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, double[]> results = new LinkedHashMap<>();
    operations.keySet().forEach(name -> results.put(name, new double[rounds]));
    for (int round = -2; round < rounds; round++) { // two rounds of warm-up
      for (Map.Entry<String, Operation> e : operations.entrySet()) {
        long segments = 0;
        long wallStart = System.nanoTime();
        long cpuStart = threads.getCurrentThreadCpuTime();
        while (System.nanoTime() - wallStart < ROUND_NANOS) {
          segments += e.getValue().run();
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        if (round >= 0) {
          results.get(e.getKey())[round] = segments * SEGMENT / cpu; // bytes per ns = GB/s
        }
      }
    }
    b.tearDown();
    System.out.printf("%-18s %s%n", "operation", "GB per CPU-second (median, min, max over " + rounds + " rounds)");
    for (Map.Entry<String, double[]> e : results.entrySet()) {
      double[] r = e.getValue().clone();
      Arrays.sort(r);
      System.out.printf("%-18s %.2f  (%.2f .. %.2f)%n", e.getKey(), r[r.length / 2], r[0], r[r.length - 1]);
    }
  }
}
