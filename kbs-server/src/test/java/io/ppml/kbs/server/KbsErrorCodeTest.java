package io.ppml.kbs.server;

import static io.ppml.kbs.server.KbsFixture.error;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.WrappedKey;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Every {@link KbsError} is produced by a real request and comes back with its code and HTTP status. */
class KbsErrorCodeTest {
  @TempDir static Path dir;
  static KbsFixture kbs;
  static KbsClient admin;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    kbs = KbsFixture.start(dir.resolve("main"));
    admin = kbs.adminClient();
    admin.createKey("k");
    admin.createKey("gone");
    token = kbs.token();
  }

  @AfterAll
  static void stop() {
    admin.close();
    kbs.close();
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return kbs.send("POST", path, body, "Authorization", "Bearer " + token);
  }

  private static String csr(KeyPair key) throws Exception {
    return Base64.getEncoder().encodeToString(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"),
        key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded());
  }

  private static HttpResponse<String> trigger(KbsError e) throws Exception {
    return switch (e) {
      case INVALID_REQUEST -> kbs.send("POST", "/kbs/v0/auth", "[1,2");
      case UNSUPPORTED_PROTOCOL -> kbs.send("POST", "/kbs/v0/auth", "{\"version\":\"9.9.9\",\"tee\":\"tdx\"}");
      case WRAPPED_KEY_INVALID -> {
        WrappedKey w;
        try (KbsClient c = kbs.workload(); DataKey dk = c.generateDataKey("k")) {
          w = dk.wrapped();
        }
        byte[] ct = w.ciphertext();
        ct[ct.length - 1] ^= 1;
        yield post("/kbs/v0/keys/unwrap", "{\"wrapped\":\"" + new WrappedKey("k", 1, ct).toBase64() + "\"}");
      }
      case CSR_INVALID -> post("/kbs/v0/certificate", "{\"csr\":\"AAAA\"}");
      case SESSION_INVALID -> kbs.send("POST", "/kbs/v0/attest", "{}");
      case NONCE_MISMATCH -> kbs.attest(kbs.tdx, kbs.auth(), "bm90IHRoZSBub25jZQ==").response();
      case TOKEN_INVALID -> kbs.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer x.y.z");
      case ADMIN_UNAUTHENTICATED -> kbs.send("GET", "/kbs/v0/admin/keys", null);
      case EVIDENCE_INVALID -> kbs.attest(new io.ppml.attestation.EvidenceProvider() {
        // A genuine simulated quote with one MRTD byte changed: the quote signature no longer verifies.
        @Override public String teeType() { return "tdx"; }
        @Override public boolean simulated() { return true; }
        @Override public byte[] quote(byte[] reportData) throws io.ppml.core.error.PpmlException {
          byte[] q = kbs.tdx.quote(reportData);
          q[48 + 136] ^= 1;
          return q;
        }
      }, kbs.auth(), null).response();
      case ATTESTATION_DENIED -> kbs.attest(kbs.tdx.withMrTd(new byte[48]), kbs.auth(), null).response();
      case ACCESS_DENIED -> {
        // The development policy allows every key; a replaced policy allows nothing.
        try (KbsFixture strict = KbsFixture.start(dir.resolve("strict"), Clock.systemUTC(),
            b -> b.resourcePolicy(null))) {
          Files.deleteIfExists(dir.resolve("strict").resolve(KbsServer.RESOURCE_POLICY_OVERRIDE));
          strict.adminClient().createKey("k");
          yield strict.send("POST", "/kbs/v0/keys/k/generate", "{}", "Authorization", "Bearer " + strict.token());
        }
      }
      case KEY_DISABLED -> {
        // A key disabled in the store (enabled=false) is refused.
        Path keys = dir.resolve("main/keys/keys.json");
        String json = Files.readString(keys);
        JsonNode doc = KbsFixture.JSON.readTree(json);
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.path("keys").path("gone")).put("enabled", false);
        ResourceStore.writeAtomically(keys, KbsFixture.JSON.writeValueAsBytes(doc));
        yield post("/kbs/v0/keys/gone/generate", "{}");
      }
      case CSR_KEY_NOT_BOUND -> post("/kbs/v0/certificate",
          "{\"csr\":\"" + csr(CertificateAuthority.newKeyPair(new SecureRandom())) + "\"}");
      case UNKNOWN_KEY -> post("/kbs/v0/keys/missing/generate", "{}");
      case RESOURCE_NOT_FOUND -> kbs.send("GET", "/kbs/v0/resource/a/b/c", null, "Authorization", "Bearer " + token);
      case NOT_FOUND -> kbs.send("GET", "/kbs/v0/nothing-here", null);
      case METHOD_NOT_ALLOWED -> kbs.send("GET", "/kbs/v0/auth", null);
      case KEY_EXISTS -> kbs.send("POST", "/kbs/v0/admin/keys", "{\"name\":\"k\"}", "Authorization",
          "Bearer " + kbs.admin.mint());
      case PAYLOAD_TOO_LARGE -> kbs.send("POST", "/kbs/v0/auth", "{\"p\":\"" + "x".repeat(65 * 1024) + "\"}");
      case RATE_LIMITED -> {
        try (KbsFixture limited = KbsFixture.start(dir.resolve("limited"), Clock.systemUTC(),
            b -> b.rateLimit(0.01, 2))) {
          limited.send("GET", "/healthz", null);
          limited.send("GET", "/healthz", null);
          yield limited.send("GET", "/healthz", null);
        }
      }
      case INTERNAL -> {
        // A resource entry whose sealed value is not base64: an unexpected failure inside the handler.
        admin.putResource("r", "t", "bad", new byte[] {1});
        Path res = dir.resolve("main/resources.json");
        Files.writeString(res, Files.readString(res).replaceFirst("\"sealed\" : \"[^\"]+\"", "\"sealed\" : \"%%\""));
        HttpResponse<String> r = kbs.send("GET", "/kbs/v0/resource/r/t/bad", null, "Authorization",
            "Bearer " + token);
        Files.delete(res);
        yield r;
      }
      case UNAVAILABLE -> {
        Path res = dir.resolve("main/resources.json");
        Files.writeString(res, "not json");
        HttpResponse<String> r = kbs.send("GET", "/kbs/v0/resource/r/t/x", null, "Authorization",
            "Bearer " + token);
        Files.delete(res);
        yield r;
      }
    };
  }

  @ParameterizedTest
  @EnumSource(KbsError.class)
  void eachErrorHasItsCodeAndStatus(KbsError e) throws Exception {
    HttpResponse<String> r = trigger(e);
    assertEquals(e.code(), error(r), r.body());
    assertEquals(e.status(), r.statusCode(), r.body());
  }
}
