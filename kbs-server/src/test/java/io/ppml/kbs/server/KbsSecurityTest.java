package io.ppml.kbs.server;

import static io.ppml.kbs.server.KbsFixture.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.attestation.kbs.AttestationDeniedException;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KeyAccessDeniedException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Negative paths of the protocol over real HTTPS: each must be refused with the documented code. */
class KbsSecurityTest {
  @TempDir Path dir;

  @Test
  void defaultPolicyDeniesSimulatedEvidenceNamingTheFailedRules() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir, Clock.systemUTC(),
             b -> b.attestationPolicy(null).resourcePolicy(null));
         KbsClient client = kbs.workload()) {
      Files.deleteIfExists(dir.resolve(KbsServer.ATTESTATION_POLICY_OVERRIDE));
      AttestationDeniedException e = assertThrows(AttestationDeniedException.class,
          () -> client.generateDataKey("any"));
      assertEquals(403, e.status());
      assertEquals("attestation-denied", e.serverError());
      assertEquals(ErrorCode.ATTESTATION_FAILURE, e.code());
      assertTrue(e.failedRules().containsAll(List.of("allowSimulated", "mrtd", "rtmr0")), e.failedRules().toString());
    }
  }

  @Test
  void aSessionCannotBeReplayed() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      String[] session = kbs.auth();
      assertEquals(200, kbs.attest(kbs.tdx, session, null).response().statusCode());
      HttpResponse<String> replay = kbs.attest(kbs.tdx, session, null).response();
      assertEquals(401, replay.statusCode());
      assertEquals("session-invalid", error(replay));
    }
  }

  @Test
  void aNonceFromAnotherSessionIsRefused() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      String[] other = kbs.auth();
      HttpResponse<String> r = kbs.attest(kbs.tdx, kbs.auth(), other[1]).response();
      assertEquals(401, r.statusCode());
      assertEquals("nonce-mismatch", error(r));
    }
  }

  @Test
  void anExpiredSessionIsRefused() throws Exception {
    MutableClock clock = new MutableClock();
    try (KbsFixture kbs = KbsFixture.start(dir, clock, b -> b)) {
      String[] session = kbs.auth();
      clock.advance(Duration.ofSeconds(61));
      HttpResponse<String> r = kbs.attest(kbs.tdx, session, null).response();
      assertEquals(401, r.statusCode());
      assertEquals("session-invalid", error(r));
    }
  }

  @Test
  void aTokenSignedByAnotherKbsIsRefused() throws Exception {
    try (KbsFixture a = KbsFixture.start(dir.resolve("a"));
         KbsFixture b = KbsFixture.start(dir.resolve("b"))) {
      b.adminClient().createKey("k");
      String foreign = b.token();
      HttpResponse<String> r = a.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer " + foreign);
      assertEquals(401, r.statusCode());
      assertEquals("token-invalid", error(r));
    }
  }

  @Test
  void aTokenWhoseClaimsWereAlteredIsRefusedEvenAfterTheGenuineOneWasUsed() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      kbs.adminClient().createKey("k");
      String token = kbs.token();
      assertEquals(200, kbs.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer " + token)
          .statusCode());
      String[] parts = token.split("\\.");
      ObjectNode claims = (ObjectNode) KbsFixture.JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      ((ObjectNode) claims.path("submods").path(WorkloadTokens.SUBMOD).path(WorkloadTokens.EVIDENCE).path("tdx"))
          .put("mr_td", "00".repeat(48));
      String altered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
          .encodeToString(KbsFixture.JSON.writeValueAsBytes(claims)) + "." + parts[2];
      HttpResponse<String> r = kbs.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer " + altered);
      assertEquals(401, r.statusCode());
      assertEquals("token-invalid", error(r));
    }
  }

  @Test
  void evidenceThatVerifiedBeforeIsCheckedAgainstTheClockEveryTime() throws Exception {
    MutableClock clock = new MutableClock();
    try (KbsFixture kbs = KbsFixture.start(dir, clock, b -> b)) {
      kbs.token();
      // The simulated platform's collateral is valid for 30 days from the broker's start.
      clock.advance(Duration.ofDays(31));
      HttpResponse<String> r = kbs.attest(kbs.tdx, kbs.auth(), null).response();
      assertEquals(403, r.statusCode());
      assertEquals("evidence-invalid", error(r));
    }
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    MutableClock clock = new MutableClock();
    try (KbsFixture kbs = KbsFixture.start(dir, clock, b -> b)) {
      kbs.adminClient().createKey("k");
      String token = kbs.token();
      assertEquals(200, kbs.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer " + token)
          .statusCode());
      clock.advance(Duration.ofMinutes(5).plusSeconds(1));
      HttpResponse<String> r = kbs.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer " + token);
      assertEquals(401, r.statusCode());
      assertEquals("token-invalid", error(r));
    }
  }

  @Test
  void aKeyNotPermittedForTheMeasurementsIsDeniedAndAudited() throws Exception {
    Files.createDirectories(dir);
    Path rp = write(dir.resolve("rp.yaml"),
        "workloads:\n  sim:\n    mrtd: [\"*\"]\n    simulated: true\n"
        + "  other:\n    mrtd: [\"" + "ab".repeat(48) + "\"]\n    simulated: true\n"
        + "rules:\n  - name: sim-open\n    workloads: [sim]\n    operations: [generate, unwrap]\n    keys: [open]\n"
        + "  - name: other-secret\n    workloads: [other]\n    operations: [generate, unwrap]\n    keys: [secret]\n");
    try (KbsFixture kbs = KbsFixture.start(dir, Clock.systemUTC(), b -> b.resourcePolicy(rp));
         KbsClient admin = kbs.adminClient();
         KbsClient client = kbs.workload()) {
      admin.createKey("open");
      admin.createKey("secret");
      client.generateDataKey("open").close();
      KeyAccessDeniedException e = assertThrows(KeyAccessDeniedException.class,
          () -> client.generateDataKey("secret"));
      assertEquals(ErrorCode.ACCESS_DENIED, e.code());
      assertEquals("secret", e.keyName());
      JsonNode last = null;
      for (JsonNode rec : admin.audit(1, 1000).path("records")) {
        if ("generate".equals(rec.path("event").asText()) && "secret".equals(rec.path("target").asText())) {
          last = rec;
        }
      }
      assertEquals("deny", last.path("decision").asText());
      assertEquals(ResourcePolicy.DEFAULT_DENY, last.path("rule").asText());
      assertTrue(AuditChain.verify(dir.resolve("audit.log")).ok());
    }
  }

  @Test
  void adminEndpointsNeedAnAdminCredentialAndRefuseWorkloadTokens() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      HttpResponse<String> none = kbs.send("GET", "/kbs/v0/admin/keys", null);
      assertEquals(401, none.statusCode());
      assertEquals("admin-unauthenticated", error(none));
      HttpResponse<String> workload = kbs.send("GET", "/kbs/v0/admin/keys", null, "Authorization",
          "Bearer " + kbs.token());
      assertEquals(401, workload.statusCode());
      assertEquals("admin-unauthenticated", error(workload));
      // ... and an admin token is no workload token.
      kbs.adminClient().createKey("k");
      HttpResponse<String> reverse = kbs.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization",
          "Bearer " + kbs.admin.mint());
      assertEquals(401, reverse.statusCode());
      assertEquals("token-invalid", error(reverse));
      // Never from a query string.
      HttpResponse<String> query = kbs.send("GET", "/kbs/v0/admin/keys?access_token=" + kbs.admin.mint(), null);
      assertEquals(401, query.statusCode());
    }
  }

  @Test
  void garbageAndOversizedBodiesAreRefused() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      HttpResponse<String> garbage = kbs.send("POST", "/kbs/v0/auth", "{not json");
      assertEquals(400, garbage.statusCode());
      assertEquals("invalid-request", error(garbage));
      HttpResponse<String> big = kbs.send("POST", "/kbs/v0/auth", "{\"x\":\"" + "a".repeat(70_000) + "\"}");
      assertEquals(413, big.statusCode());
      assertEquals("payload-too-large", error(big));
    }
  }

  static Path write(Path file, String text) throws Exception {
    Files.writeString(file, text);
    return file;
  }

  /** A clock tests move forward. */
  static final class MutableClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
