package io.ppml.bench.kbs;

import com.sun.management.OperatingSystemMXBean;
import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsConfig;
import io.ppml.kbs.server.KbsServer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Load driver for the Key Broker Service on loopback (development mode, simulated TDX evidence, real TLS 1.3,
 * real DCAP verification of the simulated quotes, audit records fsynced):
 * <ol>
 *   <li>data-key unwraps per second with a valid token, from {@code threads} concurrent clients for
 *       {@code seconds}, with p50/p99 latency;</li>
 *   <li>full RCAR latency (auth, attest with quote verification and policy, first key) over {@code rcar}
 *       sequential fresh clients, p50/p99.</li>
 * </ol>
 * Server and clients run in this one JVM and share the machine's cores, so throughput is bounded by the CPU
 * both sides spend per request. Each phase therefore also prints the process CPU time per operation and the
 * part of it spent on the server's (Jetty) threads (the rest is the clients, garbage collection and the JIT),
 * and the time the JIT compiled and the collector paused during the phase: on a small machine a JVM that has
 * run for only a few seconds is still compiling, which weighs on both phases.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.ppml.bench.kbs.KbsLoadDriver [threads] [seconds] [rcar]
 * [warmup-seconds]} (defaults 8, 20, 200, 5; the warm-up runs the unwrap load before it is measured).
 */
public final class KbsLoadDriver {
  /** Javalin's name for the Jetty request threads (acceptor, selector and handlers). */
  private static final String SERVER_THREADS = "JettyServerThreadPool";
  private static final int RCAR_WARMUP = 20;

  private KbsLoadDriver() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int rcar = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    Path dir = Files.createTempDirectory("kbs-bench");
    KbsConfig config = DevKbs.prepare(dir, 0, Clock.systemUTC()).toBuilder().rateLimit(1e9, 1_000_000_000).build();
    System.out.printf("cores %d, load average at start %.2f%n", Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    try (KbsServer server = KbsServer.start(config)) {
      SimulatedTdx tdx = SimulatedTdx.load(dir.resolve(DevKbs.SIMULATED));
      try (KbsClient admin = KbsClient.builder().url(server.url()).caPem(dir.resolve(DevKbs.CA))
          .admin(AdminCredential.load(DevKbs.ADMIN_NAME, dir.resolve(DevKbs.ADMIN_KEY))).build()) {
        admin.createKey("bench");
      }
      // Warm-up: JIT, TLS session setup.
      unwraps(server, dir, tdx, threads, warmup);
      CpuMeter cpu = new CpuMeter();
      long[] lat = unwraps(server, dir, tdx, threads, seconds);
      System.out.printf("unwrap: %d threads, %d s, %d ops, %.0f ops/s, p50 %.2f ms, p99 %.2f ms; %s%n", threads,
          seconds, lat.length, lat.length / (double) seconds, pct(lat, 50), pct(lat, 99), cpu.perOp(lat.length));
      long[] r = new long[rcar];
      for (int i = 0; i < rcar + RCAR_WARMUP; i++) {
        if (i == RCAR_WARMUP) {
          cpu = new CpuMeter();
        }
        long t0 = System.nanoTime();
        try (KbsClient c = client(server, dir, tdx); DataKey dk = c.generateDataKey("bench")) {
          if (i >= RCAR_WARMUP) {
            r[i - RCAR_WARMUP] = System.nanoTime() - t0;
          }
        }
      }
      System.out.printf("rcar (auth + attest + first key, new client each): %d runs, p50 %.2f ms, p99 %.2f ms; %s%n",
          rcar, pct(r, 50), pct(r, 99), cpu.perOp(rcar));
    }
    System.out.printf("load average at end %.2f%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static KbsClient client(KbsServer server, Path dir, SimulatedTdx tdx) throws Exception {
    return KbsClient.builder().url(server.url()).caPem(dir.resolve(DevKbs.CA)).evidence(tdx).build();
  }

  private static long[] unwraps(KbsServer server, Path dir, SimulatedTdx tdx, int threads, int seconds)
      throws Exception {
    List<long[]> results = new ArrayList<>();
    List<Thread> all = new ArrayList<>();
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    for (int t = 0; t < threads; t++) {
      results.add(null);
      int index = t;
      Thread th = new Thread(() -> {
        long[] buf = new long[1 << 16];
        int n = 0;
        try (KbsClient c = client(server, dir, tdx); DataKey dk = c.generateDataKey("bench")) {
          WrappedKey w = dk.wrapped();
          while (System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            try (SecretBytes k = c.unwrap(w)) {
              if (n == buf.length) {
                buf = Arrays.copyOf(buf, n * 2);
              }
              buf[n++] = System.nanoTime() - t0;
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        synchronized (results) {
          results.set(index, Arrays.copyOf(buf, n));
        }
      }, "kbs-load-" + t);
      th.start();
      all.add(th);
    }
    for (Thread th : all) {
      th.join();
    }
    return results.stream().flatMapToLong(Arrays::stream).sorted().toArray();
  }

  private static double pct(long[] sortedOrNot, int p) {
    long[] s = sortedOrNot.clone();
    Arrays.sort(s);
    return s.length == 0 ? 0 : s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
  }

  /** Process CPU time, the server threads' CPU time, JIT and GC time since construction. */
  private static final class CpuMeter {
    private static final OperatingSystemMXBean OS =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final long process = OS.getProcessCpuTime();
    private final long server = serverThreadsCpu();
    private final long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    private final long gc = gcMillis();

    String perOp(int ops) {
      double processUs = (OS.getProcessCpuTime() - process) / 1e3 / Math.max(1, ops);
      double serverUs = (serverThreadsCpu() - server) / 1e3 / Math.max(1, ops);
      return String.format("CPU per op %.0f us (server threads %.0f us); JIT %d ms, GC %d ms", processUs,
          serverUs, ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit, gcMillis() - gc);
    }

    private static long gcMillis() {
      long sum = 0;
      for (GarbageCollectorMXBean c : ManagementFactory.getGarbageCollectorMXBeans()) {
        sum += Math.max(0, c.getCollectionTime());
      }
      return sum;
    }

    /** Server threads live as long as the server, so their CPU times can be differenced. */
    private static long serverThreadsCpu() {
      long sum = 0;
      for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
        if (info != null && info.getThreadName().startsWith(SERVER_THREADS)) {
          long t = THREADS.getThreadCpuTime(info.getThreadId());
          sum += Math.max(0, t);
        }
      }
      return sum;
    }
  }
}
