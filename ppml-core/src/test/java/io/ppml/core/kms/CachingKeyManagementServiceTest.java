package io.ppml.core.kms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.secret.SecretBytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CachingKeyManagementServiceTest {
  @TempDir Path tmp;
  private LocalKms local;
  private Recording recording;
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @BeforeEach
  void setUp() throws Exception {
    local = LocalKms.open(tmp.resolve("home"));
    local.createKey("k");
    recording = new Recording(local);
  }

  private CachingKeyManagementService cache(int maxEntries, Duration ttl) {
    return new CachingKeyManagementService(recording, maxEntries, ttl, now::get);
  }

  @Test
  void aRepeatedUnwrapIsAnsweredFromTheCacheWithAFreshCopy() throws Exception {
    try (CachingKeyManagementService kms = cache(10, Duration.ofMinutes(5))) {
      DataKey dk = local.generateDataKey("k");
      SecretBytes first = kms.unwrap(dk.wrapped());
      byte[] expected = dk.plaintext().toByteArray();
      assertArrayEquals(expected, first.toByteArray());
      first.close(); // the caller's copy; the cache keeps its own
      SecretBytes second = kms.unwrap(dk.wrapped());
      assertNotSame(first, second);
      assertArrayEquals(expected, second.toByteArray());
      assertEquals(1, recording.unwraps);
      assertFalse(recording.returned.get(0).isDestroyed());
    }
  }

  @Test
  void theLeastRecentlyUsedEntryIsEvictedAndWiped() throws Exception {
    try (CachingKeyManagementService kms = cache(2, Duration.ofMinutes(5))) {
      WrappedKey a = local.generateDataKey("k").wrapped();
      WrappedKey b = local.generateDataKey("k").wrapped();
      WrappedKey c = local.generateDataKey("k").wrapped();
      kms.unwrap(a);
      kms.unwrap(b);
      kms.unwrap(a); // a is now more recent than b
      kms.unwrap(c); // evicts b
      assertEquals(3, recording.unwraps);
      assertTrue(recording.returned.get(1).isDestroyed(), "evicted key was not wiped");
      assertFalse(recording.returned.get(0).isDestroyed());
      kms.unwrap(a);
      kms.unwrap(c);
      assertEquals(3, recording.unwraps);
      kms.unwrap(b);
      assertEquals(4, recording.unwraps);
    }
  }

  @Test
  void entriesExpireAfterTheirTtl() throws Exception {
    try (CachingKeyManagementService kms = cache(10, Duration.ofSeconds(30))) {
      WrappedKey w = local.generateDataKey("k").wrapped();
      kms.unwrap(w);
      now.addAndGet(Duration.ofSeconds(29).toNanos());
      kms.unwrap(w);
      assertEquals(1, recording.unwraps);
      now.addAndGet(Duration.ofSeconds(1).toNanos());
      kms.unwrap(w);
      assertEquals(2, recording.unwraps);
      assertTrue(recording.returned.get(0).isDestroyed(), "expired key was not wiped");
    }
  }

  @Test
  void derivedKeysAreCachedPerRequest() throws Exception {
    try (CachingKeyManagementService kms = cache(10, Duration.ofMinutes(5))) {
      DerivedKey d1 = kms.deriveKey("k", 0, "column-det-v1");
      d1.close();
      DerivedKey d2 = kms.deriveKey("k", 0, "column-det-v1");
      assertEquals(1, d2.keyVersion());
      assertArrayEquals(local.deriveKey("k", 1, "column-det-v1").key().toByteArray(), d2.key().toByteArray());
      assertEquals(1, recording.derives);
      kms.deriveKey("k", 0, "other-purpose");
      assertEquals(2, recording.derives);
    }
  }

  @Test
  void failuresAreNotCachedAndOtherCallsPassThrough() throws Exception {
    try (CachingKeyManagementService kms = cache(10, Duration.ofMinutes(5))) {
      WrappedKey w = kms.generateDataKey("k").wrapped();
      byte[] ct = w.ciphertext();
      ct[ct.length - 1] ^= 1;
      WrappedKey bad = new WrappedKey("k", 1, ct);
      assertThrows(IntegrityException.class, () -> kms.unwrap(bad));
      assertThrows(IntegrityException.class, () -> kms.unwrap(bad));
      assertEquals(2, recording.unwraps);
      assertThrows(UnknownKeyException.class, () -> kms.unwrap(new WrappedKey("nope", 1, ct)));
      kms.createKey("k2");
      assertEquals(2, kms.rotateKey("k2").currentVersion());
      assertEquals(2, kms.listKeys().size());
      assertEquals(2, kms.rewrap(kms.generateDataKey("k2").wrapped()).keyVersion());
    }
  }

  @Test
  void closeWipesEverythingAndClosesTheDelegate() throws Exception {
    CachingKeyManagementService kms = cache(10, Duration.ofMinutes(5));
    kms.unwrap(local.generateDataKey("k").wrapped());
    kms.deriveKey("k", 1, "p");
    kms.close();
    assertTrue(recording.returned.stream().allMatch(SecretBytes::isDestroyed));
    assertThrows(IllegalStateException.class, local::listKeys);
    assertThrows(IllegalStateException.class, () -> kms.unwrap(local.generateDataKey("k").wrapped()));
  }

  @Test
  void rejectsNonsenseLimits() {
    assertThrows(IllegalArgumentException.class,
        () -> new CachingKeyManagementService(local, 0, Duration.ofMinutes(1)));
    assertThrows(IllegalArgumentException.class, () -> new CachingKeyManagementService(local, 1, Duration.ZERO));
  }

  /** Passes every call to a real LocalKms and records what the cache asked for and was given. */
  private static final class Recording extends ForwardingKeyManagementService {
    int unwraps;
    int derives;
    final List<SecretBytes> returned = new ArrayList<>();

    Recording(KeyManagementService kms) {
      super(kms);
    }

    @Override
    public SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
      unwraps++;
      SecretBytes s = delegate.unwrap(wrapped);
      returned.add(s);
      return s;
    }

    @Override
    public DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
      derives++;
      DerivedKey d = delegate.deriveKey(keyName, version, purpose);
      returned.add(d.key());
      return d;
    }
  }
}
