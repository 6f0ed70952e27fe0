package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.PrimaryKeyInfo;
import io.ppml.core.secret.SecretBytes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a broker running in a child JVM during a burst of key creations and key releases: after a
 * restart every acknowledged key exists, every acknowledged wrapped data key unwraps to the same key, and the
 * audit chain is intact.
 */
class KbsCrashTest {
  @TempDir Path dir;

  private static Process startChild(Path state) throws Exception {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        KbsChildServer.class.getName(), state.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static URI awaitUrl(Process p) throws Exception {
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line = r.readLine(); line != null; line = r.readLine()) {
      if (line.startsWith("listening on ")) {
        return URI.create(line.substring("listening on ".length()).trim());
      }
    }
    throw new AssertionError("child KBS exited before listening");
  }

  private KbsClient client(URI url, boolean admin) throws Exception {
    KbsClient.Builder b = KbsClient.builder().url(url).caPem(dir.resolve(DevKbs.CA)).retries(1, Duration.ofMillis(10));
    return admin ? b.admin(AdminCredential.load(DevKbs.ADMIN_NAME, dir.resolve(DevKbs.ADMIN_KEY))).build()
        : b.evidence(SimulatedTdx.load(dir.resolve(DevKbs.SIMULATED))).build();
  }

  @Test
  void acknowledgedKeysSurviveKillDashNine() throws Exception {
    DevKbs.prepare(dir, 0, Clock.systemUTC());
    Process child = startChild(dir);
    ConcurrentLinkedQueue<String> created = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<DataKey> released = new ConcurrentLinkedQueue<>();
    try {
      URI url = awaitUrl(child);
      try (KbsClient admin = client(url, true)) {
        admin.createKey("base");
        created.add("base");
      }
      AtomicInteger counter = new AtomicInteger();
      CountDownLatch warm = new CountDownLatch(4);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        boolean creator = t % 2 == 0;
        Thread th = new Thread(() -> {
          try (KbsClient c = client(url, creator)) {
            for (int i = 0; ; i++) {
              if (creator) {
                String name = "k-" + counter.incrementAndGet();
                c.createKey(name);
                created.add(name);
              } else {
                released.add(c.generateDataKey("base"));
              }
              if (i == 5) {
                warm.countDown();
              }
            }
          } catch (Exception expectedWhenKilled) {
            warm.countDown();
          }
        });
        th.start();
        workers.add(th);
      }
      warm.await();
      Thread.sleep(300);
      child.destroyForcibly().waitFor();
      for (Thread th : workers) {
        th.join(30_000);
      }
    } finally {
      child.destroyForcibly().waitFor();
    }
    assertTrue(created.size() > 5 && released.size() > 5, created.size() + " keys, " + released.size() + " DEKs");

    Process again = startChild(dir);
    try {
      URI url = awaitUrl(again);
      try (KbsClient admin = client(url, true); KbsClient c = client(url, false)) {
        Set<String> present = admin.listKeys().stream().map(PrimaryKeyInfo::name).collect(Collectors.toSet());
        for (String name : created) {
          assertTrue(present.contains(name), "acknowledged key " + name + " lost");
        }
        for (DataKey dk : released) {
          try (SecretBytes k = c.unwrap(dk.wrapped())) {
            assertTrue(k.sameAs(dk.plaintext()), "acknowledged " + dk + " unwraps differently");
          }
        }
      }
    } finally {
      again.destroyForcibly().waitFor();
    }
    AuditChain.Result chain = AuditChain.verify(dir.resolve("audit.log"));
    assertTrue(chain.ok(), "audit chain broken at " + chain.firstBadSeq() + ": " + chain.problem());
    assertEquals(-1, chain.firstBadSeq());
  }
}
