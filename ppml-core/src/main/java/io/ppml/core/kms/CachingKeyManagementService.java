package io.ppml.core.kms;

import io.ppml.core.error.PpmlException;
import io.ppml.core.secret.SecretBytes;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Remembers unwrapped data keys and derived keys of another {@link KeyManagementService} for a while, so that
 * an executor reading many files (or many splits of one file) asks the key service once per key. Everything
 * else passes through.
 *
 * <p>At most {@code maxEntries} keys are held (least recently used go first), each for at most {@code ttl}
 * after it was fetched. A key leaving the cache, and every key at {@link #close()}, is wiped. Each caller gets
 * its own copy, which it may close. Derived keys asked for with version 0 ("newest") are cached under that
 * request, so a rotation becomes visible to them once the entry expires. The cache belongs to this instance;
 * nothing is shared between instances.
 */
public final class CachingKeyManagementService extends ForwardingKeyManagementService {
  private final int maxEntries;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  /** Access-ordered: the first entry is the least recently used. Guarded by {@code this}. */
  private final LinkedHashMap<Object, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private boolean closed;

  private record DeriveRequest(String keyName, int version, String purpose) {}

  private record Entry(SecretBytes secret, int version, long fetchedAt) {}

  private record Copy(SecretBytes secret, int version) {}

  public CachingKeyManagementService(KeyManagementService delegate, int maxEntries, Duration ttl) {
    this(delegate, maxEntries, ttl, System::nanoTime);
  }

  CachingKeyManagementService(KeyManagementService delegate, int maxEntries, Duration ttl, LongSupplier nanoTime) {
    super(delegate);
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1, got " + maxEntries);
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive, got " + ttl);
    }
    this.maxEntries = maxEntries;
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
    Copy hit = lookup(wrapped);
    if (hit != null) {
      return hit.secret();
    }
    SecretBytes fetched = delegate.unwrap(wrapped);
    return store(wrapped, fetched, wrapped.keyVersion());
  }

  @Override
  public DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
    DeriveRequest request = new DeriveRequest(keyName, version, purpose);
    Copy hit = lookup(request);
    if (hit != null) {
      return new DerivedKey(keyName, hit.version(), purpose, hit.secret());
    }
    DerivedKey fetched = delegate.deriveKey(keyName, version, purpose);
    return new DerivedKey(keyName, fetched.keyVersion(), purpose,
        store(request, fetched.key(), fetched.keyVersion()));
  }

  /** Wipes every cached key, then closes the delegate. */
  @Override
  public void close() throws PpmlException {
    synchronized (this) {
      closed = true;
      for (Entry e : entries.values()) {
        e.secret().close();
      }
      entries.clear();
    }
    delegate.close();
  }

  /** A copy of a fresh cached key, or null; drops the entry if it has expired. */
  private synchronized Copy lookup(Object request) {
    checkOpen();
    Entry e = entries.get(request);
    if (e == null) {
      return null;
    }
    if (expired(e, nanoTime.getAsLong())) {
      entries.remove(request);
      e.secret().close();
      return null;
    }
    return new Copy(SecretBytes.wrap(e.secret().toByteArray()), e.version());
  }

  /** Takes ownership of {@code fetched}, keeps it, and returns the caller's copy. */
  private synchronized SecretBytes store(Object request, SecretBytes fetched, int version) {
    SecretBytes copy = SecretBytes.wrap(fetched.toByteArray());
    if (closed) {
      fetched.close();
      return copy;
    }
    long now = nanoTime.getAsLong();
    Entry previous = entries.put(request, new Entry(fetched, version, now));
    if (previous != null) {
      previous.secret().close();
    }
    Iterator<Map.Entry<Object, Entry>> it = entries.entrySet().iterator();
    int excess = entries.size() - maxEntries;
    while (it.hasNext()) {
      Entry e = it.next().getValue();
      if (excess > 0 || expired(e, now)) {
        it.remove();
        e.secret().close();
        excess--;
      }
    }
    return copy;
  }

  private boolean expired(Entry e, long now) {
    return now - e.fetchedAt() >= ttlNanos;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("key cache is closed");
    }
  }
}
