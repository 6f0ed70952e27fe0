package io.ppml.kbs.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token bucket per client address: {@code burst} requests at once, refilled at {@code perSecond}. Buckets
 * that are full again are dropped when the table grows large, so idle clients cost nothing.
 */
final class RateLimiter {
  private static final int MAX_TRACKED = 10_000;

  private final double perSecond;
  private final double burst;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private final class Bucket {
    double tokens = burst;
    long last = System.nanoTime();

    synchronized boolean take(long now) {
      tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    synchronized boolean full(long now) {
      return tokens + (now - last) / 1e9 * perSecond >= burst;
    }
  }

  RateLimiter(double perSecond, int burst) {
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** True if {@code client} may make a request now. */
  boolean allow(String client) {
    long now = System.nanoTime();
    if (buckets.size() > MAX_TRACKED) {
      buckets.values().removeIf(b -> b.full(now));
    }
    return buckets.computeIfAbsent(client, c -> new Bucket()).take(now);
  }
}
