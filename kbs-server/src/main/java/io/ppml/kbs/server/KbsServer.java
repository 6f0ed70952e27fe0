package io.ppml.kbs.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.dcap.DcapVerifier;
import io.ppml.attestation.dcap.DirectoryCollateralSource;
import io.ppml.attestation.dcap.QuoteVerifier;
import io.ppml.attestation.kbs.KbsProtocol;
import io.ppml.attestation.kbs.RuntimeData;
import io.ppml.attestation.policy.AttestationPolicy;
import io.ppml.attestation.policy.PolicyResult;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.core.kms.PrimaryKeyInfo;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Key Broker Service: HTTPS (TLS 1.3 only) server for attestation-gated key release. Protocol in
 * {@code docs/protocol.md}, operations in {@code docs/kbs.md}. Start it with {@link #start}; it runs until
 * {@link #close} (graceful: in-flight requests finish, then the store and audit log close).
 */
public final class KbsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.ppml.kbs");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String START_NANOS = "kbs.start";
  private static final long MAX_DISCARDED_BODY_BYTES = 1 << 20;
  private static final java.security.Provider BOUNCY_CASTLE =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();
  /** Policies loaded through the admin API are kept here and win over the configured files. */
  static final String ATTESTATION_POLICY_OVERRIDE = "attestation-policy.override";
  static final String RESOURCE_POLICY_OVERRIDE = "resource-policy.override";

  private final KbsConfig config;
  private final KeyManagementService kms;
  private final AuditLog audit;
  private final Metrics metrics;
  private final KeyBroker broker;
  private final Sessions sessions;
  private final WorkloadTokens tokens;
  private final AdminTokens adminTokens;
  private final QuoteVerifier verifier;
  private final RateLimiter rateLimiter;
  private final ResponseEncryption responses;
  private volatile AttestationPolicy attestationPolicy;
  private volatile boolean closing;
  private Javalin app;
  private ServerConnector connector;

  private KbsServer(KbsConfig config, KeyManagementService kms, AuditLog audit, Metrics metrics, KeyBroker broker,
      QuoteVerifier verifier, AttestationPolicy attestationPolicy, WorkloadTokens tokens, AdminTokens adminTokens,
      SecureRandom random) {
    this.config = config;
    this.kms = kms;
    this.audit = audit;
    this.metrics = metrics;
    this.broker = broker;
    this.verifier = verifier;
    this.attestationPolicy = attestationPolicy;
    this.tokens = tokens;
    this.adminTokens = adminTokens;
    this.sessions = new Sessions(random, config.clock, config.sessionLifetime, 100_000);
    this.rateLimiter = new RateLimiter(config.ratePerSecond, config.rateBurst);
    this.responses = new ResponseEncryption(BOUNCY_CASTLE, config.tokenLifetime, config.clock);
  }

  /** Opens the store, loads policies and starts listening; fails with a message naming what is wrong. */
  public static KbsServer start(KbsConfig config) throws PpmlException {
    SecureRandom random = new SecureRandom();
    LocalKms kms = null;
    AuditLog audit = null;
    try {
      Files.createDirectories(config.stateDir);
      kms = KbsStore.open(config, random);
      audit = AuditLog.open(config.stateDir.resolve("audit.log"), config.clock);
      X509Certificate caCert = Pem.readCertificates(config.caCertificate).get(0);
      PrivateKey caKey = Pem.readPrivateKey(config.caPrivateKey);
      CertificateAuthority ca = new CertificateAuthority(caCert, caKey, config.clock, random);
      ResourcePolicy resourcePolicy = loadResourcePolicy(config);
      AttestationPolicy attestationPolicy = loadAttestationPolicy(config);
      List<ECPublicKey> adminKeys = new ArrayList<>();
      for (Path p : config.adminKeys) {
        adminKeys.add((ECPublicKey) Pem.readPublicKey(p));
      }
      DcapVerifier.Builder vb = DcapVerifier.builder().clock(config.clock);
      if (config.trustedRoot != null) {
        vb.trustedRoot(Pem.readCertificates(config.trustedRoot).get(0));
      }
      if (config.simulatedRoot != null) {
        vb.simulatedRoot(Pem.readCertificates(config.simulatedRoot).get(0));
        LOG.warn("event=startup *** SIMULATED TDX ROOT {} CONFIGURED: simulated quotes verify (marked simulated);"
            + " development only ***", config.simulatedRoot);
      }
      if (config.collateralDir != null) {
        vb.collateral(new DirectoryCollateralSource(config.collateralDir));
      }
      Metrics metrics = new Metrics();
      KeyBroker broker = new KeyBroker(kms, new ResourceStore(config.stateDir, kms, random), audit, ca,
          config.maxCertificateValidity, resourcePolicy);
      // The token key lives only in memory: after a restart workloads simply attest again.
      WorkloadTokens tokens = new WorkloadTokens(CertificateAuthority.newKeyPair(random), config.issuer,
          config.tokenLifetime, config.clock, BOUNCY_CASTLE);
      KbsServer server = new KbsServer(config, kms, audit, metrics, broker, vb.build(), attestationPolicy, tokens,
          new AdminTokens(adminKeys, config.clock), random);
      server.listen();
      if (attestationPolicy.allowsSimulated()) {
        LOG.warn("event=startup *** ATTESTATION POLICY {} ALLOWS SIMULATED TDX: keys are released to "
            + "software-simulated TEEs; development only ***", attestationPolicy.source());
      }
      audit.append(new AuditLog.Event("startup", "kbs", "info", null, null));
      LOG.info("event=startup url=https://{}:{} state={} attestationPolicy={} resourcePolicy={} admins={}",
          config.host, server.port(), config.stateDir, attestationPolicy.source(), resourcePolicy.source(),
          adminKeys.size());
      return server;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      closeQuietly(kms, audit);
      if (e instanceof PpmlException p) {
        throw p;
      }
      throw new KmsException(ErrorCode.KMS_UNAVAILABLE, "KBS failed to start: " + e.getMessage(), e);
    }
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code https://host:port}. */
  public URI url() {
    return URI.create("https://" + config.host + ":" + port());
  }

  /** The CA that signed workload certificates (and, in development mode, the TLS certificate). */
  public X509Certificate caCertificate() {
    return broker.caCertificate();
  }

  /** Stops accepting requests, lets in-flight ones finish (up to 10 s), then closes store and audit log. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      app.stop();
    } finally {
      try {
        audit.append(new AuditLog.Event("shutdown", "kbs", "info", null, null));
      } catch (IOException e) {
        LOG.warn("event=shutdown audit record not written: {}", e.toString());
      }
      closeQuietly(kms, audit);
      LOG.info("event=shutdown done");
    }
  }

  // ---------------------------------------------------------------- wiring

  private void listen() throws IOException, GeneralSecurityException {
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(tlsKeyStore());
    ssl.setKeyStorePassword("");
    ssl.setIncludeProtocols("TLSv1.3");
    app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.maxRequestSize = config.maxBodyBytes;
      cfg.http.prefer405over404 = true;
      // Responses are small or encrypted, and compressing ones that mix secrets with request data would open
      // a compression side channel (BREACH); never compress.
      cfg.http.compressionStrategy = CompressionStrategy.NONE;
      cfg.jetty.modifyServer(server -> server.setStopTimeout(10_000));
      cfg.jetty.addConnector((server, httpConfig) -> {
        SecureRequestCustomizer src = new SecureRequestCustomizer();
        src.setSniHostCheck(false);
        httpConfig.addCustomizer(src);
        connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
            new HttpConnectionFactory(httpConfig));
        connector.setHost(config.host);
        connector.setPort(config.port);
        return connector;
      });
      var r = cfg.routes;
      r.before(this::admit);
      r.after(this::measure);
      r.exception(KbsApiException.class, (e, ctx) -> fail(ctx, e));
      r.exception(HttpResponseException.class, (e, ctx) -> fail(ctx, fromHttp(e)));
      r.exception(Exception.class, (e, ctx) -> {
        LOG.error("event=internal-error path={} error={}", route(ctx),
            e.toString(), e);
        fail(ctx, new KbsApiException(KbsError.INTERNAL, "internal error"));
      });
      r.get("/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
      r.get("/readyz", this::ready);
      r.get("/metrics", ctx -> respond(ctx, 200, "text/plain; version=0.0.4",
          metrics.render().getBytes(StandardCharsets.UTF_8)));
      r.post(KbsProtocol.AUTH, this::auth);
      r.post(KbsProtocol.ATTEST, this::attest);
      r.post(KbsProtocol.KEYS + "/{name}/" + KbsProtocol.GENERATE, this::generate);
      r.post(KbsProtocol.KEYS + "/{name}/" + KbsProtocol.WRAP, this::wrap);
      r.post(KbsProtocol.KEYS + "/{name}/" + KbsProtocol.DERIVE, this::derive);
      r.post(KbsProtocol.KEYS + "/" + KbsProtocol.UNWRAP, this::unwrap);
      r.post(KbsProtocol.KEYS + "/" + KbsProtocol.REWRAP, this::rewrap);
      r.get(KbsProtocol.RESOURCE + "/{repository}/{type}/{tag}", this::resource);
      r.post(KbsProtocol.CERTIFICATE, this::certificate);
      r.get(KbsProtocol.ADMIN + "/keys", this::adminListKeys);
      r.post(KbsProtocol.ADMIN + "/keys", this::adminCreateKey);
      r.post(KbsProtocol.ADMIN + "/keys/{name}/rotate", this::adminRotateKey);
      r.post(KbsProtocol.ADMIN + "/keys/{name}/disable", ctx -> adminSetKeyEnabled(ctx, false));
      r.post(KbsProtocol.ADMIN + "/keys/{name}/enable", ctx -> adminSetKeyEnabled(ctx, true));
      r.put(KbsProtocol.ADMIN + "/resources/{repository}/{type}/{tag}", this::adminPutResource);
      r.put(KbsProtocol.ADMIN + "/policy/resource", this::adminResourcePolicy);
      r.put(KbsProtocol.ADMIN + "/policy/attestation", this::adminAttestationPolicy);
      r.get(KbsProtocol.ADMIN + "/audit", this::adminAudit);
    });
    app.start();
  }

  private KeyStore tlsKeyStore() throws IOException, GeneralSecurityException {
    List<X509Certificate> chain = Pem.readCertificates(config.tlsCertificate);
    PrivateKey key = Pem.readPrivateKey(config.tlsPrivateKey);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("kbs", key, new char[0], chain.toArray(Certificate[]::new));
    return ks;
  }

  private void admit(Context ctx) throws KbsApiException {
    ctx.attribute(START_NANOS, System.nanoTime());
    if (!rateLimiter.allow(ctx.ip())) {
      throw new KbsApiException(KbsError.RATE_LIMITED, "request rate limit exceeded; retry later");
    }
    if (ctx.contentLength() > config.maxBodyBytes) {
      discardBody(ctx);
      throw new KbsApiException(KbsError.PAYLOAD_TOO_LARGE,
          "request body exceeds " + config.maxBodyBytes + " bytes");
    }
  }

  /**
   * Reads and drops an oversized body, up to a bound, so that a client still sending it gets to read the 413
   * instead of a reset connection. Past the bound the connection is simply closed.
   */
  private static void discardBody(Context ctx) {
    byte[] buffer = new byte[8192];
    long left = MAX_DISCARDED_BODY_BYTES;
    try (InputStream in = ctx.req().getInputStream()) {
      int n;
      while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
        left -= n;
      }
    } catch (IOException e) {
      // The client went away; the error response is written (or not) either way.
    }
  }

  private void measure(Context ctx) {
    Long start = ctx.attribute(START_NANOS);
    String endpoint = route(ctx);
    metrics.record(ctx.method().name(), endpoint, ctx.statusCode(), start == null ? 0 : System.nanoTime() - start);
  }

  private void fail(Context ctx, KbsApiException e) {
    KbsError error = e.error();
    if (error.status() == 401 || error.status() == 403 || error.status() == 429) {
      metrics.denied(error);
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("error", error.code());
    body.put("detail", e.getMessage());
    if (!e.failedRules().isEmpty()) {
      ArrayNode rules = body.putArray("failed-rules");
      e.failedRules().forEach(rules::add);
    }
    LOG.info("event=request-failed method={} path={} client={} error={} rules={}", ctx.method(),
        route(ctx), ctx.ip(), error.code(), e.failedRules());
    respond(ctx, error.status(), "application/json", body.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The matched route template (never the concrete path, which may hold key names). */
  private static String route(Context ctx) {
    io.javalin.router.Endpoint e = ctx.endpoints().matchedHttpEndpoint();
    return e == null ? "unmatched" : e.path;
  }

  private static KbsApiException fromHttp(HttpResponseException e) {
    return switch (e.getStatus()) {
      case 404 -> new KbsApiException(KbsError.NOT_FOUND, "no such endpoint");
      case 405 -> new KbsApiException(KbsError.METHOD_NOT_ALLOWED, "method not allowed");
      case 413 -> new KbsApiException(KbsError.PAYLOAD_TOO_LARGE, "request body too large");
      default -> new KbsApiException(KbsError.INVALID_REQUEST, "bad request");
    };
  }

  // ---------------------------------------------------------------- operations endpoints

  private void ready(Context ctx) {
    try {
      kms.listKeys();
      json(ctx, 200, Map.of("status", "ready", "audit", audit.head()));
    } catch (PpmlException | RuntimeException e) {
      json(ctx, 503, Map.of("status", "not ready", "reason", "key store unavailable"));
    }
  }

  // ---------------------------------------------------------------- RCAR

  private void auth(Context ctx) throws KbsApiException {
    JsonNode body = body(ctx);
    String version = body.path("version").asText("");
    String tee = body.path("tee").asText("");
    if (!KbsProtocol.VERSION.equals(version) || !"tdx".equals(tee)) {
      throw new KbsApiException(KbsError.UNSUPPORTED_PROTOCOL,
          "supported: version " + KbsProtocol.VERSION + ", tee tdx");
    }
    String[] session = sessions.open();
    ctx.header("Set-Cookie", KbsProtocol.SESSION_COOKIE + "=" + session[0] + "; Path=/kbs; Max-Age="
        + config.sessionLifetime.toSeconds() + "; Secure; HttpOnly; SameSite=Strict");
    json(ctx, 200, Map.of("nonce", session[1], "extra-params", ""));
  }

  private void attest(Context ctx) throws KbsApiException {
    String subject = "client:" + ctx.ip();
    Sessions.Session session = sessions.consume(ctx.cookie(KbsProtocol.SESSION_COOKIE));
    JsonNode body = body(ctx);
    RuntimeData runtime;
    byte[] quote;
    try {
      runtime = RuntimeData.parse(body.get("runtime-data"));
      quote = Base64.getDecoder().decode(body.path("tee-evidence").path("quote").asText(""));
    } catch (IllegalArgumentException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, e.getMessage());
    }
    if (quote.length == 0) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "tee-evidence.quote must be base64 of a TDX quote");
    }
    if (!MessageDigest.isEqual(runtime.nonce().getBytes(StandardCharsets.UTF_8),
        session.nonce().getBytes(StandardCharsets.UTF_8))) {
      broker.record("attest", subject, "deny", "nonce", null);
      throw new KbsApiException(KbsError.NONCE_MISMATCH, "runtime-data.nonce is not this session's nonce");
    }
    AttestationClaims claims;
    try {
      claims = verifier.verify(quote);
    } catch (AttestationException e) {
      broker.record("attest", subject, "deny", "evidence:" + e.reason(), null);
      throw new KbsApiException(KbsError.EVIDENCE_INVALID, "quote did not verify: " + e.reason());
    }
    AttestationPolicy policy = attestationPolicy;
    PolicyResult result = policy.evaluate(claims, runtime.reportData());
    if (!result.accepted()) {
      broker.record("attest", subject, "deny", String.join(",", result.failedRules()), null);
      throw new KbsApiException(KbsError.ATTESTATION_DENIED,
          "attestation policy " + policy.source() + " rejected the evidence", result.failedRules());
    }
    String token = tokens.issue(claims, runtime, policy.source());
    broker.record("attest", subject + " mrtd:" + claims.mrTd().substring(0, 16)
        + (claims.simulated() ? " SIMULATED" : ""), "allow", "attestation-policy", null);
    json(ctx, 200, Map.of("token", token));
  }

  // ---------------------------------------------------------------- key endpoints

  private AttestedWorkload workload(Context ctx) throws KbsApiException {
    String h = ctx.header("Authorization");
    if (h == null || !h.startsWith("Bearer ")) {
      throw new KbsApiException(KbsError.TOKEN_INVALID, "Authorization: Bearer <attestation token> required");
    }
    return tokens.verify(h.substring("Bearer ".length()).trim());
  }

  private void generate(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    try (DataKey dk = broker.generate(w, ctx.pathParam("name"))) {
      byte[] key = dk.plaintext().toByteArray();
      try {
        jwe(ctx, w, Map.of("key", Base64.getEncoder().encodeToString(key), "wrapped", dk.wrapped().toBase64()));
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
  }

  private void wrap(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    byte[] key = base64(body(ctx), "key");
    try (SecretBytes secret = SecretBytes.wrap(key)) {
      WrappedKey wrapped = broker.wrap(w, ctx.pathParam("name"), secret);
      json(ctx, 200, Map.of("wrapped", wrapped.toBase64()));
    }
  }

  private void unwrap(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    WrappedKey wrapped = wrappedKey(body(ctx));
    try (SecretBytes key = broker.unwrap(w, wrapped)) {
      byte[] bytes = key.toByteArray();
      try {
        jwe(ctx, w, Map.of("key", Base64.getEncoder().encodeToString(bytes)));
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
  }

  private void rewrap(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    WrappedKey rewrapped = broker.rewrap(w, wrappedKey(body(ctx)));
    json(ctx, 200, Map.of("wrapped", rewrapped.toBase64()));
  }

  private void derive(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    JsonNode body = body(ctx);
    JsonNode version = body.path("version");
    String purpose = body.path("purpose").asText("");
    if (!version.isInt() || purpose.isEmpty()) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "derive needs integer 'version' and string 'purpose'");
    }
    try (DerivedKey dk = broker.derive(w, ctx.pathParam("name"), version.intValue(), purpose)) {
      byte[] bytes = dk.key().toByteArray();
      try {
        jwe(ctx, w, Map.of("key", Base64.getEncoder().encodeToString(bytes), "version", dk.keyVersion(),
            "purpose", dk.purpose()));
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
    }
  }

  private void resource(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    String path;
    try {
      path = ResourceStore.path(ctx.pathParam("repository"), ctx.pathParam("type"), ctx.pathParam("tag"));
    } catch (IllegalArgumentException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, e.getMessage());
    }
    byte[] value = broker.resource(w, path);
    try {
      jweRaw(ctx, w, value);
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  private void certificate(Context ctx) throws KbsApiException {
    AttestedWorkload w = workload(ctx);
    String csr = body(ctx).path("csr").asText("");
    byte[] der;
    try {
      der = csr.contains("-----BEGIN")
          ? Base64.getMimeDecoder().decode(csr.replaceAll("-----[A-Z ]+-----", ""))
          : Base64.getDecoder().decode(csr);
    } catch (IllegalArgumentException e) {
      throw new KbsApiException(KbsError.CSR_INVALID, "csr must be PEM or base64 DER");
    }
    X509Certificate cert = broker.certificate(w, der);
    json(ctx, 200, Map.of("certificate", Pem.encode(cert), "ca", Pem.encode(broker.caCertificate())));
  }

  // ---------------------------------------------------------------- admin endpoints

  private String admin(Context ctx) throws KbsApiException {
    String h = ctx.header("Authorization");
    if (h == null || !h.startsWith("Bearer ")) {
      throw new KbsApiException(KbsError.ADMIN_UNAUTHENTICATED, "Authorization: Bearer <admin token> required");
    }
    return adminTokens.verify(h.substring("Bearer ".length()).trim());
  }

  private void adminListKeys(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    List<Map<String, Object>> keys = new ArrayList<>();
    for (PrimaryKeyInfo k : broker.listKeys(admin)) {
      keys.add(info(k));
    }
    json(ctx, 200, Map.of("keys", keys));
  }

  private void adminCreateKey(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    String name = body(ctx).path("name").asText("");
    json(ctx, 201, info(broker.createKey(admin, name)));
  }

  private void adminRotateKey(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    json(ctx, 200, info(broker.rotateKey(admin, ctx.pathParam("name"))));
  }

  private void adminSetKeyEnabled(Context ctx, boolean enabled) throws KbsApiException {
    String admin = admin(ctx);
    json(ctx, 200, info(broker.setKeyEnabled(admin, ctx.pathParam("name"), enabled)));
  }

  private void adminPutResource(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    String path;
    try {
      path = ResourceStore.path(ctx.pathParam("repository"), ctx.pathParam("type"), ctx.pathParam("tag"));
    } catch (IllegalArgumentException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, e.getMessage());
    }
    byte[] value = base64(body(ctx), "value");
    try {
      broker.putResource(admin, path, value);
    } finally {
      Arrays.fill(value, (byte) 0);
    }
    ctx.status(204);
  }

  private void adminResourcePolicy(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    String text = new String(requestBody(ctx), StandardCharsets.UTF_8);
    ResourcePolicy next;
    try {
      next = ResourcePolicy.parse(text, "admin upload by " + admin);
    } catch (IllegalArgumentException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, e.getMessage());
    }
    persistOverride(RESOURCE_POLICY_OVERRIDE, text);
    broker.replaceResourcePolicy(admin, next);
    LOG.info("event=policy-replaced kind=resource admin={}", admin);
    ctx.status(204);
  }

  private void adminAttestationPolicy(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    String text = new String(requestBody(ctx), StandardCharsets.UTF_8);
    AttestationPolicy next;
    try {
      next = AttestationPolicy.parse(text, "admin upload by " + admin);
    } catch (PpmlException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, e.getMessage());
    }
    persistOverride(ATTESTATION_POLICY_OVERRIDE, text);
    broker.record("admin.replace-attestation-policy", "admin:" + admin, "allow", "admin",
        next.allowsSimulated() ? "allows simulated TDX" : null);
    attestationPolicy = next;
    if (next.allowsSimulated()) {
      LOG.warn("event=policy-replaced *** NEW ATTESTATION POLICY ALLOWS SIMULATED TDX *** admin={}", admin);
    }
    ctx.status(204);
  }

  private void adminAudit(Context ctx) throws KbsApiException {
    String admin = admin(ctx);
    long from;
    int limit;
    try {
      from = Long.parseLong(ctx.queryParamMap().containsKey("from") ? ctx.queryParam("from") : "1");
      limit = Math.min(1000, Integer.parseInt(ctx.queryParamMap().containsKey("limit") ? ctx.queryParam("limit")
          : "100"));
    } catch (NumberFormatException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "from and limit must be integers");
    }
    broker.record("admin.read-audit", "admin:" + admin, "allow", "admin", null);
    try {
      json(ctx, 200, Map.of("records", audit.read(from, limit), "head", audit.head()));
    } catch (IOException e) {
      throw new KbsApiException(KbsError.UNAVAILABLE, "audit log cannot be read");
    }
  }

  private void persistOverride(String file, String text) throws KbsApiException {
    try {
      ResourceStore.writeAtomically(config.stateDir.resolve(file), text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KbsApiException(KbsError.UNAVAILABLE, "cannot persist policy");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static Map<String, Object> info(PrimaryKeyInfo k) {
    return Map.of("name", k.name(), "currentVersion", k.currentVersion(), "created", k.created().toString(),
        "rotated", k.rotated() == null ? "" : k.rotated().toString(), "enabled", k.enabled());
  }

  private JsonNode body(Context ctx) throws KbsApiException {
    byte[] bytes = requestBody(ctx);
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new KbsApiException(KbsError.INVALID_REQUEST, "request body must be a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "request body is not valid JSON");
    }
  }

  private static byte[] base64(JsonNode body, String member) throws KbsApiException {
    JsonNode v = body.get(member);
    try {
      if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
        throw new IllegalArgumentException();
      }
      return Base64.getDecoder().decode(v.textValue());
    } catch (IllegalArgumentException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "'" + member + "' must be non-empty base64");
    }
  }

  private static WrappedKey wrappedKey(JsonNode body) throws KbsApiException {
    try {
      return WrappedKey.fromBase64(body.path("wrapped").asText(""));
    } catch (PpmlException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "'wrapped' is not a base64 wrapped key");
    }
  }

  /**
   * The request body, read into an array of exactly its declared length ({@link #admit} has refused lengths
   * over the limit); a body without a declared length is read up to the limit. (Javalin's own reader grows
   * buffers from 8 KiB for every request.)
   */
  private byte[] requestBody(Context ctx) throws KbsApiException {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(declared >= 0 ? (int) declared : config.maxBodyBytes + 1);
      if (bytes.length > config.maxBodyBytes) {
        throw new KbsApiException(KbsError.PAYLOAD_TOO_LARGE, "request body exceeds " + config.maxBodyBytes
            + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new KbsApiException(KbsError.INVALID_REQUEST, "request body cannot be read");
    }
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      respond(ctx, status, "application/json", JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the whole answer into the response buffer, sent with its length when the exchange completes.
   * (Javalin's result stream would copy it through a fresh 8 KiB buffer for every response.)
   */
  private static void respond(Context ctx, int status, String contentType, byte[] body) {
    ctx.status(status).contentType(contentType);
    ctx.res().setContentLength(body.length);
    try {
      ctx.outputStream().write(body);
    } catch (IOException e) {
      throw new UncheckedIOException("client connection lost", e);
    }
  }

  private void jwe(Context ctx, AttestedWorkload w, Map<String, Object> payload) throws KbsApiException {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    try {
      jweRaw(ctx, w, bytes);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** Encrypts {@code plaintext} to the token's tee-pubkey and answers with the flattened JWE JSON. */
  private void jweRaw(Context ctx, AttestedWorkload w, byte[] plaintext) throws KbsApiException {
    try {
      String[] parts = responses.encrypt(w.teePublicKey(), plaintext);
      json(ctx, 200, Map.of("protected", parts[0], "encrypted_key", parts[1], "iv", parts[2],
          "ciphertext", parts[3], "tag", parts[4]));
    } catch (JOSEException | GeneralSecurityException e) {
      throw new KbsApiException(KbsError.INTERNAL, "cannot encrypt response to tee-pubkey");
    }
  }

  private static ResourcePolicy loadResourcePolicy(KbsConfig config) throws IOException {
    Path override = config.stateDir.resolve(RESOURCE_POLICY_OVERRIDE);
    Path file = Files.exists(override) ? override : config.resourcePolicy;
    if (file == null) {
      return ResourcePolicy.denyAll();
    }
    return ResourcePolicy.parse(Files.readString(file), file.toString());
  }

  private static AttestationPolicy loadAttestationPolicy(KbsConfig config) throws IOException {
    Path override = config.stateDir.resolve(ATTESTATION_POLICY_OVERRIDE);
    Path file = Files.exists(override) ? override : config.attestationPolicy;
    return file == null ? AttestationPolicy.denyAll() : AttestationPolicy.load(file);
  }

  private static void closeQuietly(AutoCloseable... all) {
    for (AutoCloseable c : all) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          LOG.warn("event=close-failed what={} error={}", c.getClass().getSimpleName(), e.toString());
        }
      }
    }
  }
}
