package io.ppml.bench.kbs;

import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsConfig;
import io.ppml.kbs.server.KbsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Load driver for the Key Broker Service on loopback (development mode, simulated TDX evidence, real TLS 1.3,
 * real DCAP verification of the simulated quotes):
 * <ol>
 *   <li>data-key unwraps per second with a valid token, from {@code threads} concurrent clients for
 *       {@code seconds}, with p50/p99 latency;</li>
 *   <li>full RCAR latency (auth, attest with quote verification and policy, first key) over {@code rcar}
 *       sequential fresh clients, p50/p99.</li>
 * </ol>
 * Usage: {@code java -cp benchmarks.jar io.ppml.bench.kbs.KbsLoadDriver [threads] [seconds] [rcar]}.
 */
public final class KbsLoadDriver {
  private KbsLoadDriver() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int rcar = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    Path dir = Files.createTempDirectory("kbs-bench");
    KbsConfig config = DevKbs.prepare(dir, 0, Clock.systemUTC()).toBuilder().rateLimit(1e9, 1_000_000_000).build();
    try (KbsServer server = KbsServer.start(config)) {
      SimulatedTdx tdx = SimulatedTdx.load(dir.resolve(DevKbs.SIMULATED));
      try (KbsClient admin = KbsClient.builder().url(server.url()).caPem(dir.resolve(DevKbs.CA))
          .admin(AdminCredential.load(DevKbs.ADMIN_NAME, dir.resolve(DevKbs.ADMIN_KEY))).build()) {
        admin.createKey("bench");
      }
      // Warm-up: JIT, TLS session setup.
      unwraps(server, dir, tdx, threads, 5);
      long[] lat = unwraps(server, dir, tdx, threads, seconds);
      System.out.printf("unwrap: %d threads, %d s, %d ops, %.0f ops/s, p50 %.2f ms, p99 %.2f ms%n", threads, seconds,
          lat.length, lat.length / (double) seconds, pct(lat, 50), pct(lat, 99));
      long[] r = new long[rcar];
      for (int i = 0; i < rcar + 20; i++) {
        long t0 = System.nanoTime();
        try (KbsClient c = client(server, dir, tdx); DataKey dk = c.generateDataKey("bench")) {
          if (i >= 20) {
            r[i - 20] = System.nanoTime() - t0;
          }
        }
      }
      System.out.printf("rcar (auth + attest + first key, new client each): %d runs, p50 %.2f ms, p99 %.2f ms%n",
          rcar, pct(r, 50), pct(r, 99));
    }
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
      long[][] slot = new long[1][];
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
      });
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
}
