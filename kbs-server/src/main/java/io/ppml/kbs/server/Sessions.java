package io.ppml.kbs.server;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Challenge sessions between {@code /auth} and {@code /attest}: a random session id (the cookie) mapped to a
 * random 32-byte nonce. A session is consumed by the first attest that presents it, whatever the outcome,
 * and expires after {@link #ttl}; a replayed or stale session is unknown. The number of open sessions is
 * capped so a flood of {@code /auth} calls cannot exhaust memory.
 */
final class Sessions {
  record Session(String nonce, Instant expires) {}

  private final Map<String, Session> open = new ConcurrentHashMap<>();
  private final SecureRandom random;
  private final Clock clock;
  private final Duration ttl;
  private final int maxOpen;

  Sessions(SecureRandom random, Clock clock, Duration ttl, int maxOpen) {
    this.random = random;
    this.clock = clock;
    this.ttl = ttl;
    this.maxOpen = maxOpen;
  }

  /** Opens a session and returns {id, nonce}. */
  String[] open() throws KbsApiException {
    if (open.size() >= maxOpen) {
      purgeExpired();
      if (open.size() >= maxOpen) {
        throw new KbsApiException(KbsError.RATE_LIMITED, "too many open attestation sessions");
      }
    }
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
    String nonce = Base64.getEncoder().encodeToString(bytes(32));
    open.put(id, new Session(nonce, clock.instant().plus(ttl)));
    return new String[] {id, nonce};
  }

  /** Removes and returns the session if it exists and has not expired. */
  Session consume(String id) throws KbsApiException {
    Session s = id == null ? null : open.remove(id);
    if (s == null || !clock.instant().isBefore(s.expires())) {
      throw new KbsApiException(KbsError.SESSION_INVALID, "attestation session is unknown, used or expired");
    }
    return s;
  }

  void purgeExpired() {
    Instant now = clock.instant();
    open.values().removeIf(s -> !now.isBefore(s.expires()));
  }

  int size() {
    return open.size();
  }

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }
}
