package io.ppml.kbs.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.kbs.KbsProtocol;
import io.ppml.attestation.kbs.RuntimeData;
import java.security.KeyPair;
import java.security.Provider;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issues and verifies the attestation tokens workloads present on key endpoints: EAR-shaped JWTs
 * (draft-ietf-rats-ear), ES256, signed by this broker's token key.
 *
 * <p>Verification trusts only the pinned public key given at construction: the algorithm must be exactly
 * ES256, any key or certificate in the JOSE header is ignored, and issuer, audience, expiry and not-before
 * are checked against the injected clock. There is no configuration in which a token is accepted without a
 * key.
 *
 * <p>Signing and verification run on BouncyCastle's P-256 arithmetic (a private provider instance), several
 * times faster than the JDK 17 one. A token is remembered (bounded) with what it attests from the moment it is
 * issued or first verified, so a workload's key requests cost no signature check at all; its expiry is checked
 * on every use.
 */
final class WorkloadTokens {
  static final String EAR_PROFILE = "tag:github.com,2023:veraison/ear";
  static final String SUBMOD = "cpu0";
  static final String EVIDENCE = "ear.veraison.annotated-evidence";
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

  private static final int MAX_REMEMBERED = 10_000;
  private final Map<String, AttestedWorkload> verified = new ConcurrentHashMap<>();
  private final ECDSASigner signer;
  private final ECDSAVerifier verifier;
  private final String issuer;
  private final Duration lifetime;
  private final Clock clock;

  WorkloadTokens(KeyPair signingKey, String issuer, Duration lifetime, Clock clock, Provider ecProvider) {
    try {
      this.signer = new ECDSASigner(signingKey.getPrivate(), Curve.P_256);
      this.verifier = new ECDSAVerifier((ECPublicKey) signingKey.getPublic());
    } catch (JOSEException e) {
      throw new IllegalArgumentException("token signing key must be EC P-256", e);
    }
    signer.getJCAContext().setProvider(ecProvider);
    verifier.getJCAContext().setProvider(ecProvider);
    this.issuer = issuer;
    this.lifetime = lifetime;
    this.clock = clock;
  }

  /** A signed token for a workload whose evidence verified and passed the attestation policy. */
  String issue(AttestationClaims claims, RuntimeData runtime, String policyId) {
    // JWT times are whole seconds: the remembered expiry is then exactly the one the token carries.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Map<String, Object> tdx = new LinkedHashMap<>();
    tdx.put("quote_version", claims.quoteVersion());
    tdx.put("mr_td", claims.mrTd());
    for (int i = 0; i < 4; i++) {
      tdx.put("rtmr" + i, claims.rtmrs().get(i));
    }
    tdx.put("mr_config_id", claims.mrConfigId());
    tdx.put("tcb_status", claims.tcbStatus().pcsName());
    tdx.put("debug", claims.debug());
    tdx.put("simulated", claims.simulated());
    Map<String, Object> submod = new LinkedHashMap<>();
    submod.put("ear.status", "affirming");
    submod.put("ear.appraisal-policy-id", policyId);
    submod.put(EVIDENCE, Map.of("tdx", tdx));
    JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience(KbsProtocol.WORKLOAD_AUDIENCE)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(lifetime)))
        .jwtID(UUID.randomUUID().toString())
        .claim("eat_profile", EAR_PROFILE)
        .claim("ear.verifier-id", Map.of("developer", "ppml", "build", "kbs"))
        .claim("submods", Map.of(SUBMOD, submod))
        .claim(KbsProtocol.TEE_PUBKEY_CLAIM, runtime.teePublicKey().toPublicJWK().toJSONObject());
    if (runtime.csrPublicKeySha256() != null) {
      b.claim(RuntimeData.CSR_PUBKEY_SHA256, runtime.csrPublicKeySha256());
    }
    JWTClaimsSet claimsSet = b.build();
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build(), claimsSet);
    AttestedWorkload workload;
    try {
      jwt.sign(signer);
      workload = workloadOf(claimsSet);
    } catch (JOSEException | ParseException | KbsApiException e) {
      throw new IllegalStateException("cannot issue token", e);
    }
    String token = jwt.serialize();
    remember(token, workload);
    return token;
  }

  /**
   * Verifies a bearer token and returns what it attests. Tokens issued or verified before are remembered
   * (bounded), so only an unknown token costs a signature check; expiry is checked on every use.
   */
  AttestedWorkload verify(String token) throws KbsApiException {
    AttestedWorkload known = verified.get(token);
    if (known != null) {
      if (!clock.instant().isBefore(known.expires())) {
        verified.remove(token);
        throw invalid("token expired");
      }
      return known;
    }
    AttestedWorkload w = verifySignedToken(token);
    remember(token, w);
    return w;
  }

  private void remember(String token, AttestedWorkload w) {
    if (verified.size() >= MAX_REMEMBERED) {
      verified.clear();
    }
    verified.put(token, w);
  }

  private AttestedWorkload verifySignedToken(String token) throws KbsApiException {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.ES256.equals(jwt.getHeader().getAlgorithm())) {
        throw invalid("token algorithm must be ES256");
      }
      if (!jwt.verify(verifier)) {
        throw invalid("token is not signed by this key broker");
      }
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      Instant now = clock.instant();
      if (!issuer.equals(c.getIssuer())) {
        throw invalid("token issuer is not this key broker");
      }
      if (c.getAudience() == null || !c.getAudience().contains(KbsProtocol.WORKLOAD_AUDIENCE)) {
        throw invalid("token audience is not " + KbsProtocol.WORKLOAD_AUDIENCE);
      }
      if (c.getExpirationTime() == null || !now.isBefore(c.getExpirationTime().toInstant())) {
        throw invalid("token expired");
      }
      if (c.getNotBeforeTime() != null && now.plus(CLOCK_SKEW).isBefore(c.getNotBeforeTime().toInstant())) {
        throw invalid("token not yet valid");
      }
      return workloadOf(c);
    } catch (ParseException | JOSEException | ClassCastException | NullPointerException e) {
      throw invalid("token is malformed");
    }
  }

  /** What the claims of a token signed by this broker attest. */
  private static AttestedWorkload workloadOf(JWTClaimsSet c) throws ParseException, KbsApiException {
    try {
      Map<String, Object> submods = c.getJSONObjectClaim("submods");
      Map<String, Object> tdx = nested(nested(nested(submods, SUBMOD), EVIDENCE), "tdx");
      ECKey tee = ECKey.parse(c.getJSONObjectClaim(KbsProtocol.TEE_PUBKEY_CLAIM));
      List<String> rtmrs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        rtmrs.add((String) tdx.get("rtmr" + i));
      }
      return new AttestedWorkload(c.getJWTID(), tee, (String) tdx.get("mr_td"), rtmrs,
          (String) tdx.get("mr_config_id"), Boolean.TRUE.equals(tdx.get("simulated")),
          Boolean.TRUE.equals(tdx.get("debug")), (String) tdx.get("tcb_status"),
          c.getStringClaim(RuntimeData.CSR_PUBKEY_SHA256), c.getExpirationTime().toInstant());
    } catch (ClassCastException | NullPointerException e) {
      throw invalid("token is malformed");
    }
  }

  Duration lifetime() {
    return lifetime;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> nested(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Map)) {
      throw new NullPointerException(key);
    }
    return (Map<String, Object>) v;
  }

  private static KbsApiException invalid(String why) {
    return new KbsApiException(KbsError.TOKEN_INVALID, why);
  }
}
