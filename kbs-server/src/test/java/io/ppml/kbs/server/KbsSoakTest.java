package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.secret.SecretBytes;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 concurrent attested clients unwrapping and generating keys for {@code kbs.soak.seconds} (60 by default,
 * as the issue asks): zero errors, and the heap after the run stays within a fixed bound of the heap before.
 */
class KbsSoakTest {
  static final int CLIENTS = 50;
  static final long HEAP_GROWTH_LIMIT = 256L << 20;
  @TempDir Path dir;

  @Test
  void fiftyClientsWithoutErrorsAndWithBoundedMemory() throws Exception {
    long seconds = Long.parseLong(System.getProperty("kbs.soak.seconds", "60"));
    try (KbsFixture kbs = KbsFixture.start(dir, Clock.systemUTC(), b -> b.rateLimit(1_000_000, 1_000_000))) {
      try (KbsClient admin = kbs.adminClient()) {
        admin.createKey("soak");
      }
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      System.gc();
      long heapBefore = memory.getHeapMemoryUsage().getUsed();
      AtomicLong operations = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      // Every client attests first; the timed phase starts when all have their token.
      java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(CLIENTS);
      AtomicLong deadlineHolder = new AtomicLong();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Thread t = new Thread(() -> {
          try (KbsClient c = kbs.workload(); DataKey dk = c.generateDataKey("soak")) {
            if (ready.await() == 0) {
              deadlineHolder.set(System.nanoTime() + seconds * 1_000_000_000L);
            }
            while (deadlineHolder.get() == 0) {
              Thread.onSpinWait();
            }
            long deadline = deadlineHolder.get();
            for (int n = 0; System.nanoTime() < deadline; n++) {
              if (n % 10 == 9) {
                c.generateDataKey("soak").close();
              } else {
                try (SecretBytes k = c.unwrap(dk.wrapped())) {
                  if (!k.sameAs(dk.plaintext())) {
                    throw new AssertionError("unwrapped a different key");
                  }
                }
              }
              operations.incrementAndGet();
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
      System.gc();
      long heapAfter = memory.getHeapMemoryUsage().getUsed();
      System.out.println("soak: " + CLIENTS + " clients, " + seconds + " s, " + operations.get() + " operations, "
          + (operations.get() / Math.max(1, seconds)) + "/s, heap before " + (heapBefore >> 20) + " MiB after "
          + (heapAfter >> 20) + " MiB");
      assertEquals(List.of(), errors.stream().map(Throwable::toString).toList());
      assertTrue(operations.get() > CLIENTS, "every client completed operations");
      assertTrue(heapAfter - heapBefore < HEAP_GROWTH_LIMIT,
          "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
      AuditChain.Result chain = AuditChain.verify(dir.resolve("audit.log"));
      assertTrue(chain.ok(), chain.problem());
    }
  }
}
