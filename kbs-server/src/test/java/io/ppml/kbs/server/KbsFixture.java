package io.ppml.kbs.server;

import io.ppml.attestation.EvidenceProvider;
import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/** A development-mode broker on a free loopback port with a simulated TDX platform, for one test. */
final class KbsFixture implements AutoCloseable {
  final Path dir;
  final KbsServer server;
  final SimulatedTdx tdx;
  final AdminCredential admin;

  private KbsFixture(Path dir, KbsServer server) throws IOException {
    this.dir = dir;
    this.server = server;
    this.tdx = SimulatedTdx.load(dir.resolve(DevKbs.SIMULATED));
    this.admin = AdminCredential.load(DevKbs.ADMIN_NAME, dir.resolve(DevKbs.ADMIN_KEY));
  }

  static KbsFixture start(Path dir) throws Exception {
    return start(dir, Clock.systemUTC(), b -> b);
  }

  static KbsFixture start(Path dir, Clock clock, UnaryOperator<KbsConfig.Builder> tweak) throws Exception {
    KbsConfig config = tweak.apply(DevKbs.prepare(dir, 0, clock).toBuilder()).build();
    return new KbsFixture(dir, KbsServer.start(config));
  }

  URI url() {
    return server.url();
  }

  KbsClient client(EvidenceProvider evidence) throws Exception {
    return KbsClient.builder().url(url()).caPem(dir.resolve(DevKbs.CA)).evidence(evidence)
        .retries(2, Duration.ofMillis(50)).build();
  }

  KbsClient workload() throws Exception {
    return client(tdx);
  }

  KbsClient adminClient() throws Exception {
    return KbsClient.builder().url(url()).caPem(dir.resolve(DevKbs.CA)).admin(admin).build();
  }

  /** A raw HTTPS client trusting the development CA, for requests the typed client never sends. */
  HttpClient raw() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", server.caCertificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).sslParameters(new SSLParameters(null, new String[] {"TLSv1.3"}))
        .version(HttpClient.Version.HTTP_1_1).build();
  }

  HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(url().resolve(path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return raw().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Result of a hand-made attestation: the session cookie used, the token (null if refused) and the answer. */
  record RawAttest(String cookie, String nonce, java.security.KeyPair teeKey, HttpResponse<String> response) {
    String token() throws Exception {
      return JSON.readTree(response.body()).path("token").asText();
    }
  }

  static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Opens a session: {cookie, nonce}. */
  String[] auth() throws Exception {
    HttpResponse<String> r = send("POST", "/kbs/v0/auth", "{\"version\":\"0.4.0\",\"tee\":\"tdx\",\"extra-params\":\"\"}");
    String cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";", 2)[0];
    return new String[] {cookie, JSON.readTree(r.body()).path("nonce").asText()};
  }

  /** Attests by hand with {@code evidence}, binding {@code nonce} (the session's when null). */
  RawAttest attest(EvidenceProvider evidence, String[] session, String nonce) throws Exception {
    java.security.KeyPair key = CertificateAuthority.newKeyPair(new java.security.SecureRandom());
    io.ppml.attestation.kbs.RuntimeData rd = io.ppml.attestation.kbs.RuntimeData.create(
        nonce == null ? session[1] : nonce,
        new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256,
            (java.security.interfaces.ECPublicKey) key.getPublic()).build(), null);
    com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
    body.set("runtime-data", rd.json());
    body.putObject("tee-evidence").put("quote",
        java.util.Base64.getEncoder().encodeToString(evidence.quote(rd.reportData())));
    return new RawAttest(session[0], session[1], key, send("POST", "/kbs/v0/attest", body.toString(), "Cookie", session[0]));
  }

  /** A token for the fixture's simulated platform. */
  String token() throws Exception {
    RawAttest a = attest(tdx, auth(), null);
    if (a.response().statusCode() != 200) {
      throw new AssertionError("attest failed: " + a.response().body());
    }
    return a.token();
  }

  /** The error code of a failed answer. */
  static String error(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("error").asText();
  }

  @Override
  public void close() {
    server.close();
  }
}
