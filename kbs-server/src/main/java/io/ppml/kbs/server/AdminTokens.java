package io.ppml.kbs.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ppml.attestation.kbs.KbsProtocol;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies admin tokens: ES256 JWTs signed by one of the configured admin public keys, audience
 * {@value KbsProtocol#ADMIN_AUDIENCE}, at most {@link #MAX_LIFETIME} between {@code iat} and {@code exp}. The
 * admin's name is the {@code sub} claim. Workload tokens can never pass: they are signed by the broker's own
 * token key, which is never an admin key, and carry the workload audience.
 */
final class AdminTokens {
  static final Duration MAX_LIFETIME = Duration.ofMinutes(5);
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  private final List<ECDSAVerifier> verifiers = new ArrayList<>();
  private final Clock clock;

  AdminTokens(List<ECPublicKey> adminKeys, Clock clock) {
    for (ECPublicKey k : adminKeys) {
      try {
        verifiers.add(new ECDSAVerifier(k));
      } catch (JOSEException e) {
        throw new IllegalArgumentException("admin key must be EC P-256", e);
      }
    }
    this.clock = clock;
  }

  /** Returns the admin's name, or throws {@link KbsError#ADMIN_UNAUTHENTICATED}. */
  String verify(String token) throws KbsApiException {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
        throw denied("admin token algorithm must be ES256");
      }
      boolean signed = false;
      for (ECDSAVerifier v : verifiers) {
        if (jwt.verify(v)) {
          signed = true;
          break;
        }
      }
      if (!signed) {
        throw denied("admin token is not signed by a configured admin key");
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (c.getAudience() == null || !c.getAudience().contains(KbsProtocol.ADMIN_AUDIENCE)) {
        throw denied("admin token audience is not " + KbsProtocol.ADMIN_AUDIENCE);
      }
      if (c.getIssueTime() == null || c.getExpirationTime() == null || c.getSubject() == null) {
        throw denied("admin token needs iat, exp and sub");
      }
      Instant iat = c.getIssueTime().toInstant();
      Instant exp = c.getExpirationTime().toInstant();
      if (!now.isBefore(exp) || now.plus(CLOCK_SKEW).isBefore(iat)) {
        throw denied("admin token expired or not yet valid");
      }
      if (Duration.between(iat, exp).compareTo(MAX_LIFETIME) > 0) {
        throw denied("admin token lifetime exceeds " + MAX_LIFETIME.toMinutes() + " minutes");
      }
      return c.getSubject();
    } catch (ParseException | JOSEException e) {
      throw denied("admin token is malformed");
    }
  }

  private static KbsApiException denied(String why) {
    return new KbsApiException(KbsError.ADMIN_UNAUTHENTICATED, why);
  }
}
