package io.ppml.kbs.server;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KmsException;
import io.ppml.core.error.PpmlException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link KbsServer} needs, parsed once. Built in code ({@link #builder()}) or read from a YAML
 * file ({@link #load}); the file format is in {@code docs/kbs.md}. Relative paths in a file are resolved
 * against the file's directory.
 */
public final class KbsConfig {
  /** Where the root key lives. */
  public enum RootKeyType { FILE, PKCS11 }

  /** PKCS#11 root key settings; the PIN comes from an environment variable or a file, never the config. */
  public record Pkcs11(Path library, int slotListIndex, String pinEnv, Path pinFile, String keyLabel) {
    char[] pin() throws IOException {
      if (pinEnv != null) {
        String v = System.getenv(pinEnv);
        if (v == null) {
          throw new IOException("environment variable " + pinEnv + " with the PKCS#11 PIN is not set");
        }
        return v.toCharArray();
      }
      return Files.readString(pinFile).strip().toCharArray();
    }
  }

  final String host;
  final int port;
  final Path stateDir;
  final Path tlsCertificate;
  final Path tlsPrivateKey;
  final Path caCertificate;
  final Path caPrivateKey;
  final Duration maxCertificateValidity;
  final RootKeyType rootKeyType;
  final Pkcs11 pkcs11;
  final Path attestationPolicy;
  final Path resourcePolicy;
  final List<Path> adminKeys;
  final Duration tokenLifetime;
  final Duration sessionLifetime;
  final Path trustedRoot;
  final Path simulatedRoot;
  final Path collateralDir;
  final int maxBodyBytes;
  final double ratePerSecond;
  final int rateBurst;
  final Clock clock;
  final String issuer;

  private KbsConfig(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.stateDir = Objects.requireNonNull(b.stateDir, "stateDir");
    this.tlsCertificate = Objects.requireNonNull(b.tlsCertificate, "tls.certificate");
    this.tlsPrivateKey = Objects.requireNonNull(b.tlsPrivateKey, "tls.privateKey");
    this.caCertificate = Objects.requireNonNull(b.caCertificate, "workloadCa.certificate");
    this.caPrivateKey = Objects.requireNonNull(b.caPrivateKey, "workloadCa.privateKey");
    this.maxCertificateValidity = b.maxCertificateValidity;
    this.rootKeyType = b.rootKeyType;
    this.pkcs11 = b.pkcs11;
    if (rootKeyType == RootKeyType.PKCS11 && pkcs11 == null) {
      throw new IllegalArgumentException("rootKey type pkcs11 needs library, slotListIndex, pin and keyLabel");
    }
    this.attestationPolicy = b.attestationPolicy;
    this.resourcePolicy = b.resourcePolicy;
    this.adminKeys = List.copyOf(b.adminKeys);
    this.tokenLifetime = b.tokenLifetime;
    this.sessionLifetime = b.sessionLifetime;
    this.trustedRoot = b.trustedRoot;
    this.simulatedRoot = b.simulatedRoot;
    this.collateralDir = b.collateralDir;
    this.maxBodyBytes = b.maxBodyBytes;
    this.ratePerSecond = b.ratePerSecond;
    this.rateBurst = b.rateBurst;
    this.clock = b.clock;
    this.issuer = b.issuer;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset with this configuration's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.stateDir = stateDir;
    b.tlsCertificate = tlsCertificate;
    b.tlsPrivateKey = tlsPrivateKey;
    b.caCertificate = caCertificate;
    b.caPrivateKey = caPrivateKey;
    b.maxCertificateValidity = maxCertificateValidity;
    b.rootKeyType = rootKeyType;
    b.pkcs11 = pkcs11;
    b.attestationPolicy = attestationPolicy;
    b.resourcePolicy = resourcePolicy;
    b.adminKeys = new ArrayList<>(adminKeys);
    b.tokenLifetime = tokenLifetime;
    b.sessionLifetime = sessionLifetime;
    b.trustedRoot = trustedRoot;
    b.simulatedRoot = simulatedRoot;
    b.collateralDir = collateralDir;
    b.maxBodyBytes = maxBodyBytes;
    b.ratePerSecond = ratePerSecond;
    b.rateBurst = rateBurst;
    b.clock = clock;
    b.issuer = issuer;
    return b;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path caCertificate() {
    return caCertificate;
  }

  /** Options of a {@link KbsConfig}; defaults are the documented ones. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8443;
    private Path stateDir;
    private Path tlsCertificate;
    private Path tlsPrivateKey;
    private Path caCertificate;
    private Path caPrivateKey;
    private Duration maxCertificateValidity = Duration.ofHours(24);
    private RootKeyType rootKeyType = RootKeyType.FILE;
    private Pkcs11 pkcs11;
    private Path attestationPolicy;
    private Path resourcePolicy;
    private List<Path> adminKeys = new ArrayList<>();
    private Duration tokenLifetime = Duration.ofMinutes(5);
    private Duration sessionLifetime = Duration.ofSeconds(60);
    private Path trustedRoot;
    private Path simulatedRoot;
    private Path collateralDir;
    private int maxBodyBytes = 64 * 1024;
    private double ratePerSecond = 1000;
    private int rateBurst = 2000;
    private Clock clock = Clock.systemUTC();
    private String issuer = "ppml-kbs";

    public Builder host(String v) { host = v; return this; }
    /** 0 picks a free port; {@link KbsServer#port()} tells which. */
    public Builder port(int v) { port = v; return this; }
    public Builder stateDir(Path v) { stateDir = v; return this; }
    public Builder tls(Path certificate, Path privateKey) { tlsCertificate = certificate; tlsPrivateKey = privateKey; return this; }
    public Builder workloadCa(Path certificate, Path privateKey) { caCertificate = certificate; caPrivateKey = privateKey; return this; }
    public Builder maxCertificateValidity(Duration v) { maxCertificateValidity = v; return this; }
    public Builder fileRootKey() { rootKeyType = RootKeyType.FILE; pkcs11 = null; return this; }
    public Builder pkcs11RootKey(Pkcs11 v) { rootKeyType = RootKeyType.PKCS11; pkcs11 = v; return this; }
    /** Absent: deny every attestation. */
    public Builder attestationPolicy(Path v) { attestationPolicy = v; return this; }
    /** Absent: deny every key and resource request. */
    public Builder resourcePolicy(Path v) { resourcePolicy = v; return this; }
    public Builder adminKey(Path publicKeyPem) { adminKeys.add(publicKeyPem); return this; }
    public Builder tokenLifetime(Duration v) { tokenLifetime = v; return this; }
    public Builder sessionLifetime(Duration v) { sessionLifetime = v; return this; }
    /** Absent: Intel's SGX Root CA embedded in the verifier. */
    public Builder trustedRoot(Path v) { trustedRoot = v; return this; }
    /** DEVELOPMENT ONLY: a simulated TDX root whose quotes verify as {@code simulated}. */
    public Builder simulatedRoot(Path v) { simulatedRoot = v; return this; }
    public Builder collateralDir(Path v) { collateralDir = v; return this; }
    public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
    public Builder rateLimit(double perSecond, int burst) { ratePerSecond = perSecond; rateBurst = burst; return this; }
    public Builder clock(Clock v) { clock = v; return this; }
    public Builder issuer(String v) { issuer = v; return this; }

    public KbsConfig build() {
      return new KbsConfig(this);
    }
  }

  private static final Set<String> TOP = Set.of("listen", "stateDir", "tls", "workloadCa", "rootKey",
      "attestationPolicy", "resourcePolicy", "adminKeys", "tokenLifetime", "sessionLifetime", "trustedRoot",
      "simulatedRoot", "collateralDir", "limits", "issuer");

  /** Reads a YAML configuration file. */
  public static KbsConfig load(Path file) throws PpmlException {
    JsonNode root;
    try {
      root = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
          .readTree(Files.readString(file));
    } catch (IOException e) {
      throw invalid(file, "cannot read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw invalid(file, "expected a YAML mapping");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!TOP.contains(k)) {
        throw invalid(file, "unknown key '" + k + "'");
      }
    }
    Path base = file.toAbsolutePath().getParent();
    Builder b = builder();
    try {
      JsonNode listen = root.path("listen");
      if (listen.has("host")) {
        b.host(listen.get("host").asText());
      }
      if (listen.has("port")) {
        b.port(listen.get("port").asInt());
      }
      b.stateDir(path(base, root, "stateDir", true));
      b.tls(path(base, root.path("tls"), "certificate", true), path(base, root.path("tls"), "privateKey", true));
      JsonNode ca = root.path("workloadCa");
      b.workloadCa(path(base, ca, "certificate", true), path(base, ca, "privateKey", true));
      if (ca.has("maxValidity")) {
        b.maxCertificateValidity(Duration.parse(ca.get("maxValidity").asText()));
      }
      JsonNode rk = root.path("rootKey");
      String type = rk.path("type").asText("file");
      if (type.equals("pkcs11")) {
        String pinEnv = rk.has("pinEnv") ? rk.get("pinEnv").asText() : null;
        Path pinFile = path(base, rk, "pinFile", false);
        if ((pinEnv == null) == (pinFile == null)) {
          throw invalid(file, "rootKey needs exactly one of pinEnv and pinFile");
        }
        b.pkcs11RootKey(new Pkcs11(path(base, rk, "library", true), rk.path("slotListIndex").asInt(0), pinEnv,
            pinFile, rk.path("keyLabel").asText("ppml-kbs-root")));
      } else if (!type.equals("file")) {
        throw invalid(file, "rootKey.type must be file or pkcs11");
      }
      b.attestationPolicy(path(base, root, "attestationPolicy", false));
      b.resourcePolicy(path(base, root, "resourcePolicy", false));
      for (JsonNode k : root.path("adminKeys")) {
        b.adminKey(base.resolve(k.asText()));
      }
      if (root.has("tokenLifetime")) {
        b.tokenLifetime(Duration.parse(root.get("tokenLifetime").asText()));
      }
      if (root.has("sessionLifetime")) {
        b.sessionLifetime(Duration.parse(root.get("sessionLifetime").asText()));
      }
      b.trustedRoot(path(base, root, "trustedRoot", false));
      b.simulatedRoot(path(base, root, "simulatedRoot", false));
      b.collateralDir(path(base, root, "collateralDir", false));
      JsonNode limits = root.path("limits");
      if (limits.has("maxBodyBytes")) {
        b.maxBodyBytes(limits.get("maxBodyBytes").asInt());
      }
      if (limits.has("requestsPerSecond") || limits.has("burst")) {
        b.rateLimit(limits.path("requestsPerSecond").asDouble(1000), limits.path("burst").asInt(2000));
      }
      if (root.has("issuer")) {
        b.issuer(root.get("issuer").asText());
      }
      return b.build();
    } catch (DateTimeParseException e) {
      throw invalid(file, "durations are ISO-8601, e.g. PT5M: " + e.getParsedString());
    } catch (IllegalArgumentException | NullPointerException e) {
      throw invalid(file, e.getMessage());
    }
  }

  private static Path path(Path base, JsonNode node, String key, boolean required) {
    JsonNode v = node.get(key);
    if (v == null || v.asText().isEmpty()) {
      if (required) {
        throw new IllegalArgumentException("missing '" + key + "'");
      }
      return null;
    }
    return base.resolve(v.asText());
  }

  private static KmsException invalid(Path file, String problem) {
    return new KmsException(ErrorCode.INVALID_ARGUMENT, "KBS configuration " + file + ": " + problem);
  }
}
