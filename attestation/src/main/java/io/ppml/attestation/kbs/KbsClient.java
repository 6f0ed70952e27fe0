package io.ppml.attestation.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import io.ppml.attestation.EvidenceProvider;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.KeyAccessDeniedException;
import io.ppml.core.error.KeyExistsException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.PrimaryKeyInfo;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Client of the key broker, run inside the workload (driver, executor, CLI). Attests with an
 * {@link EvidenceProvider} (Request-Challenge-Attestation-Response, see docs/protocol.md), keeps the
 * attestation token and its ephemeral EC P-256 key pair in memory until shortly before the token expires,
 * and decrypts every key the broker returns (JWE, ECDH-ES+A256KW / A256GCM) with that private key, which
 * never leaves this object.
 *
 * <p>TLS 1.3 only, trusting only the configured CA, over kept-alive connections ({@link HttpsTransport}: at
 * most a few requests of one client run at once). Connection failures and 5xx answers are retried with
 * bounded exponential backoff; a token the broker no longer accepts (for example after a broker restart) is
 * replaced by attesting again, once. Failures are typed: {@link KeyAccessDeniedException} (resource policy,
 * names the rule), {@link AttestationDeniedException} (attestation policy, names the failed rules),
 * {@link UnknownKeyException}, {@link IntegrityException} (a wrapped key or a response that does not
 * authenticate), and {@link KbsClientException} for the rest (with the broker's error code, or
 * {@code kbs-unreachable} / {@code kbs-certificate-untrusted}). Thread-safe.
 */
public final class KbsClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REFRESH_MARGIN = Duration.ofSeconds(30);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Faster P-256 arithmetic than the JDK 17 one, for the ephemeral key generation and the ECDH of responses;
   * not registered globally.
   */
  private static final java.security.Provider BOUNCY_CASTLE =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  /** A token with the ephemeral key pair it is bound to, and the decrypter of responses to that key. */
  private record Attested(String token, KeyPair teeKey, Instant expires, ResponseDecrypter responses) {}

  /** A certificate issued to an attested workload, with the issuing CA. */
  public record WorkloadCertificate(X509Certificate certificate, X509Certificate ca) {}

  private final URI base;
  private final HttpsTransport http;
  private final EvidenceProvider evidence;
  private final AdminCredential admin;
  private final Clock clock;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Object attestLock = new Object();
  private volatile Attested current;

  private KbsClient(Builder b) throws PpmlException {
    this.base = b.url;
    this.evidence = b.evidence;
    this.admin = b.admin;
    this.clock = b.clock;
    this.maxAttempts = b.maxAttempts;
    this.initialBackoff = b.initialBackoff;
    this.http = new HttpsTransport(sslContext(b.trusted), b.timeout, READ_TIMEOUT);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link KbsClient}. */
  public static final class Builder {
    private URI url;
    private List<X509Certificate> trusted = new ArrayList<>();
    private EvidenceProvider evidence;
    private AdminCredential admin;
    private Clock clock = Clock.systemUTC();
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(100);
    private Duration timeout = Duration.ofSeconds(10);

    public Builder url(URI v) { url = v; return this; }
    /** The CA certificate(s), PEM, that the broker's TLS certificate must chain to; nothing else is trusted. */
    public Builder caPem(Path pem) throws IOException {
      try (InputStream in = Files.newInputStream(pem)) {
        Collection<? extends java.security.cert.Certificate> certs =
            CertificateFactory.getInstance("X.509").generateCertificates(in);
        certs.forEach(c -> trusted.add((X509Certificate) c));
      } catch (java.security.cert.CertificateException e) {
        throw new IOException("no CA certificate in " + pem, e);
      }
      if (trusted.isEmpty()) {
        throw new IOException("no CA certificate in " + pem);
      }
      return this;
    }
    public Builder ca(X509Certificate v) { trusted.add(v); return this; }
    /** Evidence for workload operations; without it only admin operations work. */
    public Builder evidence(EvidenceProvider v) { evidence = v; return this; }
    /** Credential for admin operations (create, rotate, list keys; resources; policies). */
    public Builder admin(AdminCredential v) { admin = v; return this; }
    public Builder clock(Clock v) { clock = v; return this; }
    /** Attempts per request on connection errors and 5xx, with backoff doubling from {@code initialBackoff}. */
    public Builder retries(int maxAttempts, Duration initialBackoff) {
      this.maxAttempts = Math.max(1, maxAttempts);
      this.initialBackoff = initialBackoff;
      return this;
    }
    public Builder timeout(Duration v) { timeout = v; return this; }

    public KbsClient build() throws PpmlException {
      if (url == null || trusted.isEmpty()) {
        throw new KbsClientException(ErrorCode.INVALID_ARGUMENT, "invalid-argument", 0, List.of(),
            "KBS client needs a URL and a CA certificate", null);
      }
      return new KbsClient(this);
    }
  }

  // ---------------------------------------------------------------- attestation

  /** Attests now (or reuses a token that is still fresh) and returns the token. */
  public String token() throws PpmlException {
    return attested().token();
  }

  private Attested attested() throws PpmlException {
    Attested a = current;
    if (a != null && clock.instant().isBefore(a.expires().minus(REFRESH_MARGIN))) {
      return a;
    }
    synchronized (attestLock) {
      a = current;
      if (a != null && clock.instant().isBefore(a.expires().minus(REFRESH_MARGIN))) {
        return a;
      }
      current = attest(null);
      return current;
    }
  }

  private void invalidate(Attested stale) {
    synchronized (attestLock) {
      if (current == stale) {
        current = null;
      }
    }
  }

  /** One RCAR round: auth, evidence over the runtime data, attest. {@code csrKey} is bound if not null. */
  private Attested attest(ECPublicKey csrKey) throws PpmlException {
    if (evidence == null) {
      throw new KbsClientException(ErrorCode.INVALID_ARGUMENT, "invalid-argument", 0, List.of(),
          "no evidence provider configured: this client can only perform admin operations", null);
    }
    KeyPair teeKey = newEcKeyPair();
    ObjectNode authBody = JSON.createObjectNode();
    authBody.put("version", KbsProtocol.VERSION);
    authBody.put("tee", evidence.teeType());
    authBody.put("extra-params", "");
    Response auth = send("POST", KbsProtocol.AUTH, authBody, null, null);
    String cookie = auth.sessionCookie();
    String nonce = auth.json().path("nonce").asText();
    ECKey jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) teeKey.getPublic()).build();
    RuntimeData runtime = RuntimeData.create(nonce, jwk,
        csrKey == null ? null : RuntimeData.publicKeySha256(csrKey.getEncoded()));
    byte[] quote = evidence.quote(runtime.reportData());
    ObjectNode body = JSON.createObjectNode();
    body.set("runtime-data", runtime.json());
    body.putObject("tee-evidence").put("quote", Base64.getEncoder().encodeToString(quote));
    Response r = send("POST", KbsProtocol.ATTEST, body, null, cookie);
    String token = r.json().path("token").asText();
    Instant expires;
    try {
      expires = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
    } catch (ParseException | NullPointerException e) {
      throw new KbsClientException(ErrorCode.KMS_UNAVAILABLE, "invalid-response", r.status, List.of(),
          "KBS returned a malformed attestation token", e);
    }
    return new Attested(token, teeKey, expires, responseDecrypter((ECPrivateKey) teeKey.getPrivate()));
  }

  // ---------------------------------------------------------------- key operations

  public DataKey generateDataKey(String keyName) throws PpmlException {
    JsonNode payload = keyCall("POST", KbsProtocol.KEYS + "/" + keyName + "/" + KbsProtocol.GENERATE,
        JSON.createObjectNode(), keyName, "generate");
    SecretBytes key = SecretBytes.wrap(Base64.getDecoder().decode(payload.path("key").asText()));
    try {
      return new DataKey(key, WrappedKey.fromBase64(payload.path("wrapped").asText()));
    } catch (PpmlException | RuntimeException e) {
      key.close();
      throw e;
    }
  }

  public WrappedKey wrap(String keyName, SecretBytes key) throws PpmlException {
    ObjectNode body = JSON.createObjectNode();
    byte[] bytes = key.toByteArray();
    body.put("key", Base64.getEncoder().encodeToString(bytes));
    Arrays.fill(bytes, (byte) 0);
    JsonNode r = plainCall("POST", KbsProtocol.KEYS + "/" + keyName + "/" + KbsProtocol.WRAP, body, keyName, "wrap");
    return WrappedKey.fromBase64(r.path("wrapped").asText());
  }

  public SecretBytes unwrap(WrappedKey wrapped) throws PpmlException {
    ObjectNode body = JSON.createObjectNode().put("wrapped", wrapped.toBase64());
    JsonNode payload = keyCall("POST", KbsProtocol.KEYS + "/" + KbsProtocol.UNWRAP, body, wrapped.keyName(),
        "unwrap");
    return SecretBytes.wrap(Base64.getDecoder().decode(payload.path("key").asText()));
  }

  public WrappedKey rewrap(WrappedKey wrapped) throws PpmlException {
    ObjectNode body = JSON.createObjectNode().put("wrapped", wrapped.toBase64());
    JsonNode r = plainCall("POST", KbsProtocol.KEYS + "/" + KbsProtocol.REWRAP, body, wrapped.keyName(), "rewrap");
    return WrappedKey.fromBase64(r.path("wrapped").asText());
  }

  public DerivedKey deriveKey(String keyName, int version, String purpose) throws PpmlException {
    ObjectNode body = JSON.createObjectNode().put("version", version).put("purpose", purpose);
    JsonNode payload = keyCall("POST", KbsProtocol.KEYS + "/" + keyName + "/" + KbsProtocol.DERIVE, body, keyName,
        "derive");
    return new DerivedKey(keyName, payload.path("version").asInt(), purpose,
        SecretBytes.wrap(Base64.getDecoder().decode(payload.path("key").asText())));
  }

  /** A named resource ({@code repository/type/tag}), decrypted. */
  public SecretBytes resource(String repository, String type, String tag) throws PpmlException {
    String path = KbsProtocol.RESOURCE + "/" + repository + "/" + type + "/" + tag;
    for (int round = 0; ; round++) {
      Attested a = attested();
      try {
        Response r = send("GET", path, null, a.token(), null);
        return SecretBytes.wrap(a.responses().decrypt(r.json()));
      } catch (KbsClientException e) {
        if (round == 0 && "token-invalid".equals(e.serverError())) {
          invalidate(a);
          continue;
        }
        throw typed(e, repository + "/" + type + "/" + tag, "resource");
      }
    }
  }

  /**
   * A certificate for {@code key} (EC P-256), for mutual TLS between workloads. Attests afresh with the
   * key's hash bound into the runtime data, then sends a CSR signed with it; that attestation's token then
   * serves later key operations too.
   */
  public WorkloadCertificate certificate(KeyPair key) throws PpmlException {
    Attested a = attest((ECPublicKey) key.getPublic());
    String csr;
    try {
      PKCS10CertificationRequest req = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=ppml workload"),
          key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()));
      csr = Base64.getEncoder().encodeToString(req.getEncoded());
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalArgumentException("cannot build CSR for the given key", e);
    }
    WorkloadCertificate issued;
    try {
      Response r = send("POST", KbsProtocol.CERTIFICATE, JSON.createObjectNode().put("csr", csr), a.token(), null);
      issued = new WorkloadCertificate(pem(r.json().path("certificate").asText()),
          pem(r.json().path("ca").asText()));
    } catch (KbsClientException e) {
      throw typed(e, "certificate", "certificate");
    }
    // The attestation is as good for key operations as one without the CSR hash: a JVM that starts with its
    // certificate then needs no second attestation for its first key.
    synchronized (attestLock) {
      if (current == null || current.expires().isBefore(a.expires())) {
        current = a;
      }
    }
    return issued;
  }

  // ---------------------------------------------------------------- admin operations

  public PrimaryKeyInfo createKey(String name) throws PpmlException {
    return keyInfo(adminCall("POST", KbsProtocol.ADMIN + "/keys", JSON.createObjectNode().put("name", name),
        name, "create"));
  }

  public PrimaryKeyInfo rotateKey(String name) throws PpmlException {
    return keyInfo(adminCall("POST", KbsProtocol.ADMIN + "/keys/" + name + "/rotate", JSON.createObjectNode(),
        name, "rotate"));
  }

  /**
   * Disables ({@code enabled = false}) or re-enables primary key {@code name} (admin). While disabled the
   * broker refuses every workload operation on the key with {@code key-disabled}.
   */
  public PrimaryKeyInfo setKeyEnabled(String name, boolean enabled) throws PpmlException {
    return keyInfo(adminCall("POST", KbsProtocol.ADMIN + "/keys/" + name + (enabled ? "/enable" : "/disable"),
        JSON.createObjectNode(), name, enabled ? "enable" : "disable"));
  }

  public List<PrimaryKeyInfo> listKeys() throws PpmlException {
    List<PrimaryKeyInfo> out = new ArrayList<>();
    for (JsonNode k : adminCall("GET", KbsProtocol.ADMIN + "/keys", null, "*", "list").path("keys")) {
      out.add(keyInfo(k));
    }
    out.sort((x, y) -> x.name().compareTo(y.name()));
    return out;
  }

  /** Stores a named resource (admin). */
  public void putResource(String repository, String type, String tag, byte[] value) throws PpmlException {
    adminCall("PUT", KbsProtocol.ADMIN + "/resources/" + repository + "/" + type + "/" + tag,
        JSON.createObjectNode().put("value", Base64.getEncoder().encodeToString(value)),
        repository + "/" + type + "/" + tag, "put resource");
  }

  /** Replaces the resource policy (admin); {@code text} is the YAML or JSON document. */
  public void replaceResourcePolicy(String text) throws PpmlException {
    adminRaw("PUT", KbsProtocol.ADMIN + "/policy/resource", text);
  }

  /** Replaces the attestation policy (admin). */
  public void replaceAttestationPolicy(String text) throws PpmlException {
    adminRaw("PUT", KbsProtocol.ADMIN + "/policy/attestation", text);
  }

  /** Audit records from sequence number {@code from} (admin). */
  public JsonNode audit(long from, int limit) throws PpmlException {
    return adminCall("GET", KbsProtocol.ADMIN + "/audit?from=" + from + "&limit=" + limit, null, "audit", "read");
  }

  public boolean hasAdmin() {
    return admin != null;
  }

  /** Forgets the token and its key and closes this client's connections. */
  @Override
  public void close() {
    current = null;
    http.close();
  }

  // ---------------------------------------------------------------- plumbing

  private JsonNode keyCall(String method, String path, JsonNode body, String key, String op) throws PpmlException {
    for (int round = 0; ; round++) {
      Attested a = attested();
      try {
        Response r = send(method, path, body, a.token(), null);
        byte[] plain = a.responses().decrypt(r.json());
        try {
          return JSON.readTree(plain);
        } catch (IOException e) {
          throw new IntegrityException("KBS response", -1, "decrypted payload is not JSON");
        } finally {
          Arrays.fill(plain, (byte) 0);
        }
      } catch (KbsClientException e) {
        if (round == 0 && "token-invalid".equals(e.serverError())) {
          invalidate(a);
          continue;
        }
        throw typed(e, key, op);
      }
    }
  }

  private JsonNode plainCall(String method, String path, JsonNode body, String key, String op)
      throws PpmlException {
    for (int round = 0; ; round++) {
      Attested a = attested();
      try {
        return send(method, path, body, a.token(), null).json();
      } catch (KbsClientException e) {
        if (round == 0 && "token-invalid".equals(e.serverError())) {
          invalidate(a);
          continue;
        }
        throw typed(e, key, op);
      }
    }
  }

  private JsonNode adminCall(String method, String path, JsonNode body, String key, String op)
      throws PpmlException {
    if (admin == null) {
      throw new KeyAccessDeniedException(key, op, "no admin credential configured");
    }
    try {
      return send(method, path, body, admin.mint(), null).json();
    } catch (KbsClientException e) {
      throw typed(e, key, op);
    }
  }

  private void adminRaw(String method, String path, String text) throws PpmlException {
    if (admin == null) {
      throw new KeyAccessDeniedException("policy", "replace", "no admin credential configured");
    }
    send(method, path, text, admin.mint(), null);
  }

  /** Maps a broker error to the typed exception the KeyManagementService contract names. */
  private static PpmlException typed(KbsClientException e, String key, String op) {
    String rule = e.failedRules().isEmpty() ? null : String.join(",", e.failedRules());
    return switch (e.serverError() == null ? "" : e.serverError()) {
      case "access-denied", "key-disabled", "csr-key-not-bound" -> new KeyAccessDeniedException(key, op,
          rule != null ? rule : e.getMessage());
      case "unknown-key" -> new UnknownKeyException(key, 0);
      case "wrapped-key-invalid" -> new IntegrityException(null, -1, "wrapped key for '" + key
          + "' did not authenticate at the KBS");
      case "key-exists" -> new KeyExistsException(key);
      default -> e;
    };
  }

  /** Decrypts a flattened JWE (ECDH-ES+A256KW, A256GCM only); anything else or any tampering fails. */
  static byte[] decryptFlattened(JsonNode flattened, ECPrivateKey key) throws PpmlException {
    return responseDecrypter(key).decrypt(flattened);
  }

  static ResponseDecrypter responseDecrypter(ECPrivateKey key) {
    return new ResponseDecrypter(key, BOUNCY_CASTLE);
  }

  private static final class Response {
    final int status;
    final byte[] body;
    final List<String> setCookies;

    Response(HttpsTransport.Response raw) {
      this.status = raw.status();
      this.body = raw.body();
      this.setCookies = raw.setCookies();
    }

    JsonNode json() throws KbsClientException {
      try {
        JsonNode n = JSON.readTree(body);
        if (n == null) {
          throw new IOException("empty");
        }
        return n;
      } catch (IOException e) {
        throw new KbsClientException(ErrorCode.KMS_UNAVAILABLE, "invalid-response", status, List.of(),
            "KBS answered with a body that is not JSON", e);
      }
    }

    String sessionCookie() throws KbsClientException {
      for (String c : setCookies) {
        String first = c.split(";", 2)[0].trim();
        if (first.startsWith(KbsProtocol.SESSION_COOKIE + "=")) {
          return first;
        }
      }
      throw new KbsClientException(ErrorCode.KMS_UNAVAILABLE, "invalid-response", status, List.of(),
          "KBS auth answer has no session cookie", null);
    }
  }

  private Response send(String method, String path, Object body, String bearer, String cookie)
      throws PpmlException {
    byte[] bytes;
    try {
      bytes = body == null ? null
          : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (bytes != null) {
      headers.put("Content-Type", "application/json");
    }
    if (bearer != null) {
      headers.put("Authorization", "Bearer " + bearer);
    }
    if (cookie != null) {
      headers.put("Cookie", cookie);
    }
    URI uri = base.resolve(path);
    Duration backoff = initialBackoff;
    for (int attempt = 1; ; attempt++) {
      Response r = null;
      IOException failure = null;
      try {
        r = new Response(http.exchange(method, uri, bytes, headers));
      } catch (SSLHandshakeException e) {
        throw untrusted(e);
      } catch (IOException e) {
        if (e.getCause() instanceof SSLHandshakeException) {
          throw untrusted(e);
        }
        failure = e; // including a TLS failure on an established connection: retried like a reset
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unreachable(e);
      }
      if (r != null && r.status < 300) {
        return r;
      }
      if (r != null && (r.status < 500 || attempt >= maxAttempts)) {
        throw errorOf(r, path);
      }
      if (r == null && attempt >= maxAttempts) {
        throw unreachable(failure);
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unreachable(e);
      }
      backoff = backoff.multipliedBy(2);
    }
  }

  private KbsClientException untrusted(IOException e) {
    return new KbsClientException(ErrorCode.KMS_UNAVAILABLE, KbsClientException.UNTRUSTED_CERTIFICATE, 0,
        List.of(), "TLS handshake with KBS " + base + " failed; is its certificate signed by the configured CA? ("
        + e.getMessage() + ")", e);
  }

  private KbsClientException unreachable(Exception e) {
    return new KbsClientException(ErrorCode.KMS_UNAVAILABLE, KbsClientException.UNREACHABLE, 0, List.of(),
        "KBS " + base + " unreachable after " + maxAttempts + " attempts: " + e, e);
  }

  private static KbsClientException errorOf(Response r, String path) {
    String code = "http-" + r.status;
    String detail = "";
    List<String> rules = new ArrayList<>();
    try {
      JsonNode n = JSON.readTree(r.body);
      if (n != null) {
        code = n.path("error").asText(code);
        detail = n.path("detail").asText("");
        n.path("failed-rules").forEach(x -> rules.add(x.asText()));
      }
    } catch (IOException ignored) {
      // not our JSON: keep the HTTP status as the code
    }
    String message = "KBS refused " + path + " (" + r.status + " " + code + ")"
        + (detail.isEmpty() ? "" : ": " + detail) + (rules.isEmpty() ? "" : "; failed rules: " + rules);
    ErrorCode ec = switch (r.status) {
      case 401, 403 -> "attestation-denied".equals(code) || "evidence-invalid".equals(code)
          ? ErrorCode.ATTESTATION_FAILURE : ErrorCode.ACCESS_DENIED;
      case 400, 413 -> ErrorCode.INVALID_ARGUMENT;
      case 404 -> ErrorCode.UNKNOWN_KEY;
      default -> ErrorCode.KMS_UNAVAILABLE;
    };
    if ("attestation-denied".equals(code) || "evidence-invalid".equals(code)) {
      return new AttestationDeniedException(code, r.status, rules, message);
    }
    return new KbsClientException(ec, code, r.status, rules, message, null);
  }

  private static PrimaryKeyInfo keyInfo(JsonNode k) {
    String rotated = k.path("rotated").asText("");
    return new PrimaryKeyInfo(k.path("name").asText(), k.path("currentVersion").asInt(),
        Instant.parse(k.path("created").asText()), rotated.isEmpty() ? null : Instant.parse(rotated),
        k.path("enabled").asBoolean());
  }

  private static X509Certificate pem(String text) throws PpmlException {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.cert.CertificateException e) {
      throw new KbsClientException(ErrorCode.KMS_UNAVAILABLE, "invalid-response", 200, List.of(),
          "KBS returned an unparsable certificate", e);
    }
  }

  private static KeyPair newEcKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BOUNCY_CASTLE);
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is unavailable in this JVM", e);
    }
  }

  private static SSLContext sslContext(List<X509Certificate> trusted) throws PpmlException {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        ks.setCertificateEntry("ca" + i, trusted.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLSv1.3");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new KbsClientException(ErrorCode.KMS_UNAVAILABLE, "tls-setup", 0, List.of(),
          "cannot set up TLS trust: " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "KbsClient[" + base + "]";
  }

}
