package io.ppml.k8s;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything {@code ppml k8s render|apply|delete|submit} needs, parsed once from one YAML file. Every key is a
 * constant below; absent keys take the defaults of {@code default-config.yaml} (the same file documents them,
 * and {@code docs/deploy-kubernetes.md} explains them); unknown keys, duplicate keys and bad values are
 * rejected with a {@link DeploymentConfigException} naming the key. Paths are resolved against the directory
 * of the file. Nothing here is secret: the file holds names, sizes and addresses, never key material.
 */
public final class DeploymentConfig {
  public static final String NAMESPACE = "namespace";
  public static final String IMAGE = "image";
  public static final String IMAGE_PULL_POLICY = "imagePullPolicy";
  public static final String RUNTIME_CLASS_NAME = "runtimeClassName";
  public static final String TEE = "tee";
  public static final String MASTER = "master";
  public static final String SERVICE_ACCOUNT = "serviceAccount";
  public static final String KEY_VOLUME_SIZE = "keyVolumeSize";
  public static final String KBS = "kbs";
  public static final String KBS_IMAGE = "kbs.image";
  public static final String KBS_PORT = "kbs.port";
  public static final String KBS_CONFIDENTIAL = "kbs.confidential";
  public static final String KBS_CORES = "kbs.cores";
  public static final String KBS_MEMORY = "kbs.memory";
  public static final String KBS_STORAGE_SIZE = "kbs.storageSize";
  public static final String KBS_STORAGE_CLASS = "kbs.storageClassName";
  public static final String KBS_CREDENTIALS_SECRET = "kbs.credentialsSecret";
  public static final String KBS_CA_CONFIG_MAP = "kbs.caConfigMap";
  public static final String KBS_CA_CERTIFICATE_FILE = "kbs.caCertificateFile";
  public static final String KBS_ATTESTATION_POLICY_FILE = "kbs.attestationPolicyFile";
  public static final String KBS_RESOURCE_POLICY_FILE = "kbs.resourcePolicyFile";
  public static final String KBS_TOKEN_LIFETIME = "kbs.tokenLifetime";
  public static final String KBS_ROOT_KEY_TYPE = "kbs.rootKey.type";
  public static final String KBS_PKCS11_LIBRARY = "kbs.rootKey.pkcs11.library";
  public static final String KBS_PKCS11_SLOT_LIST_INDEX = "kbs.rootKey.pkcs11.slotListIndex";
  public static final String KBS_PKCS11_KEY_LABEL = "kbs.rootKey.pkcs11.keyLabel";
  public static final String KBS_PKCS11_PIN_SECRET = "kbs.rootKey.pkcs11.pinSecret";
  public static final String KBS_PKCS11_MODULE_CONFIG_SECRET = "kbs.rootKey.pkcs11.moduleConfigSecret";
  public static final String KBS_PKCS11_MODULE_CONFIG_ENV = "kbs.rootKey.pkcs11.moduleConfigEnv";
  public static final String DRIVER = "driver";
  public static final String EXECUTOR = "executor";
  public static final String CORES = "cores";
  public static final String MEMORY = "memory";
  public static final String MEMORY_OVERHEAD = "memoryOverhead";
  public static final String INSTANCES = "instances";
  public static final String AGENT_JAR = "attestedSpark.agentJar";
  public static final String PLUGIN_CLASS = "attestedSpark.pluginClass";
  public static final String AUTH_SECRET_RESOURCE = "attestedSpark.authSecretResource";
  public static final String SIMULATED_TEE_SECRET = "attestedSpark.simulatedTeeSecret";
  public static final String NETWORK_API_SERVER_CIDRS = "network.apiServer.cidrs";
  public static final String NETWORK_API_SERVER_PORTS = "network.apiServer.ports";
  public static final String NETWORK_EGRESS = "network.egress";
  public static final String COCO_INITDATA = "coco.initdata";
  public static final String COCO_IMAGE_SECURITY_POLICY_URI = "coco.imageSecurityPolicyUri";

  /** The default configuration's resource name; its comments document every key. */
  public static final String DEFAULT_RESOURCE = "default-config.yaml";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt])", Pattern.CASE_INSENSITIVE);
  private static final Pattern CIDR = Pattern.compile("[0-9a-fA-F.:]+/\\d{1,3}");
  private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");
  /** A key broker resource path: three segments as the broker accepts them (docs/protocol.md). */
  private static final Pattern RESOURCE_PATH = Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9._-]{0,127}/[A-Za-z0-9][A-Za-z0-9._-]{0,127}/[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern KEY_LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(/[A-Za-z0-9._+-]+)+");

  /** Which evidence the workloads present. */
  public enum Tee {
    TDX, SIMULATED;

    /** The name in configuration files, {@code PPML_TEE} and {@code spark.ppml.tee}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** CPU and memory of a driver or executor pod; memory in MiB as Spark counts it. */
  public record PodSize(int cores, long memoryMiB, long memoryOverheadMiB, int instances) {
    /** What the pod requests and is limited to: heap plus overhead. */
    public long podMemoryMiB() {
      return memoryMiB + memoryOverheadMiB;
    }
  }

  /** An allowed destination for traffic leaving the Spark pods (object store, HDFS, ...). */
  public record Egress(String cidr, List<Integer> ports) {}

  /** Where the key broker keeps its root key (docs/kbs.md). */
  public enum RootKeyType { FILE, PKCS11 }

  /**
   * A root key inside a PKCS#11 token. {@code library} is the module inside the KBS image (measured with it);
   * the PIN and the module's own configuration files come from Secrets the operator creates, named here and
   * never rendered. {@code moduleConfigEnv} maps environment variable names to files of
   * {@code moduleConfigSecret} (for example {@code SOFTHSM2_CONF -> softhsm2.conf}), so only paths reach the pod
   * spec.
   */
  public record Pkcs11RootKey(String library, int slotListIndex, String keyLabel, String pinSecret,
      Optional<String> moduleConfigSecret, Map<String, String> moduleConfigEnv) {}

  private final String namespace;
  private final String image;
  private final String imagePullPolicy;
  private final String runtimeClassName;
  private final Tee tee;
  private final Optional<String> master;
  private final String serviceAccount;
  private final long keyVolumeMiB;
  private final String kbsImage;
  private final int kbsPort;
  private final boolean kbsConfidential;
  private final int kbsCores;
  private final long kbsMemoryMiB;
  private final long kbsStorageMiB;
  private final Optional<String> kbsStorageClass;
  private final String kbsCredentialsSecret;
  private final String kbsCaConfigMap;
  private final Optional<Path> kbsCaCertificateFile;
  private final Optional<Path> kbsAttestationPolicyFile;
  private final Optional<Path> kbsResourcePolicyFile;
  private final Duration kbsTokenLifetime;
  private final Optional<Pkcs11RootKey> kbsPkcs11RootKey;
  private final PodSize driver;
  private final PodSize executor;
  private final String agentJar;
  private final String pluginClass;
  private final Optional<String> authSecretResource;
  private final String simulatedTeeSecret;
  private final List<String> apiServerCidrs;
  private final List<Integer> apiServerPorts;
  private final List<Egress> egress;
  private final boolean cocoInitdata;
  private final Optional<String> cocoImageSecurityPolicyUri;

  private DeploymentConfig(Reader r) throws DeploymentConfigException {
    namespace = r.dnsLabel(NAMESPACE);
    image = r.text(IMAGE);
    imagePullPolicy = r.oneOf(IMAGE_PULL_POLICY, Set.of("Always", "IfNotPresent", "Never"));
    runtimeClassName = r.dnsLabel(RUNTIME_CLASS_NAME);
    tee = Tee.valueOf(r.oneOf(TEE, Set.of("tdx", "simulated")).toUpperCase(Locale.ROOT));
    master = r.optionalText(MASTER);
    if (master.isPresent() && !master.get().startsWith("k8s://")) {
      throw new DeploymentConfigException(MASTER, "must start with k8s://");
    }
    serviceAccount = r.dnsLabel(SERVICE_ACCOUNT);
    keyVolumeMiB = r.sizeMiB(KEY_VOLUME_SIZE);
    r.section(KBS, Set.of("image", "port", "confidential", "cores", "memory", "storageSize", "storageClassName",
        "credentialsSecret", "caConfigMap", "caCertificateFile", "attestationPolicyFile", "resourcePolicyFile",
        "tokenLifetime", "rootKey"));
    kbsImage = r.optionalText(KBS_IMAGE).orElse(image);
    kbsPort = r.integer(KBS_PORT, 1, 65535);
    kbsConfidential = r.bool(KBS_CONFIDENTIAL);
    kbsCores = r.integer(KBS_CORES, 1, 1024);
    kbsMemoryMiB = r.sizeMiB(KBS_MEMORY);
    kbsStorageMiB = r.sizeMiB(KBS_STORAGE_SIZE);
    kbsStorageClass = r.optionalText(KBS_STORAGE_CLASS);
    kbsCredentialsSecret = r.dnsLabel(KBS_CREDENTIALS_SECRET);
    kbsCaConfigMap = r.dnsLabel(KBS_CA_CONFIG_MAP);
    kbsCaCertificateFile = r.optionalFile(KBS_CA_CERTIFICATE_FILE);
    kbsAttestationPolicyFile = r.optionalFile(KBS_ATTESTATION_POLICY_FILE);
    kbsResourcePolicyFile = r.optionalFile(KBS_RESOURCE_POLICY_FILE);
    kbsTokenLifetime = r.duration(KBS_TOKEN_LIFETIME);
    kbsPkcs11RootKey = r.rootKey();
    driver = r.podSize(DRIVER, false);
    executor = r.podSize(EXECUTOR, true);
    r.section("attestedSpark", Set.of("agentJar", "pluginClass", "authSecretResource", "simulatedTeeSecret"));
    agentJar = r.text(AGENT_JAR);
    if (!agentJar.startsWith("/") || agentJar.contains(" ")) {
      throw new DeploymentConfigException(AGENT_JAR, "must be an absolute path inside the image, without spaces");
    }
    pluginClass = r.text(PLUGIN_CLASS);
    if (!CLASS_NAME.matcher(pluginClass).matches()) {
      throw new DeploymentConfigException(PLUGIN_CLASS, "must be a fully qualified class name");
    }
    authSecretResource = r.optionalText(AUTH_SECRET_RESOURCE);
    if (authSecretResource.isPresent() && !RESOURCE_PATH.matcher(authSecretResource.get()).matches()) {
      throw new DeploymentConfigException(AUTH_SECRET_RESOURCE, "must be a key broker resource path "
          + "repository/type/tag (segments of A-Z, a-z, 0-9, '.', '_', '-')");
    }
    simulatedTeeSecret = r.dnsLabel(SIMULATED_TEE_SECRET);
    r.section("network", Set.of("apiServer", "egress"));
    r.section("network.apiServer", Set.of("cidrs", "ports"));
    apiServerCidrs = r.cidrs(NETWORK_API_SERVER_CIDRS);
    apiServerPorts = r.ports(NETWORK_API_SERVER_PORTS);
    egress = r.egress(NETWORK_EGRESS);
    r.section("coco", Set.of("initdata", "imageSecurityPolicyUri"));
    cocoInitdata = r.bool(COCO_INITDATA);
    cocoImageSecurityPolicyUri = r.optionalText(COCO_IMAGE_SECURITY_POLICY_URI);
    if (cocoInitdata && kbsCaCertificateFile.isEmpty()) {
      throw new DeploymentConfigException(COCO_INITDATA, "needs " + KBS_CA_CERTIFICATE_FILE
          + " (the guest's attestation agent must trust the KBS certificate)");
    }
    if (cocoImageSecurityPolicyUri.isPresent() && !cocoInitdata) {
      throw new DeploymentConfigException(COCO_IMAGE_SECURITY_POLICY_URI, "takes effect only with "
          + COCO_INITDATA + ": true");
    }
    r.rejectUnknown();
  }

  /** The documented defaults ({@value #DEFAULT_RESOURCE}). */
  public static DeploymentConfig defaults() throws DeploymentConfigException {
    try (InputStream in = DeploymentConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), Path.of("."));
    } catch (IOException e) {
      throw new IllegalStateException("default configuration missing from the jar", e);
    }
  }

  /** The text of the default configuration file, comments included. */
  public static String defaultsText() throws IOException {
    try (InputStream in = DeploymentConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Reads {@code file}; keys it leaves out take their defaults. */
  public static DeploymentConfig load(Path file) throws DeploymentConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new DeploymentConfigException(file.toString(), "cannot read the configuration file");
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(text, base);
  }

  /** Parses YAML {@code text}; relative paths resolve against {@code base}. */
  public static DeploymentConfig parse(String text, Path base) throws DeploymentConfigException {
    JsonNode defaults = tree(defaultsOrFail(), "default configuration");
    JsonNode given = tree(text, "configuration");
    return new DeploymentConfig(new Reader(given, defaults, base));
  }

  private static String defaultsOrFail() {
    try {
      return defaultsText();
    } catch (IOException e) {
      throw new IllegalStateException("default configuration missing from the jar", e);
    }
  }

  private static JsonNode tree(String text, String what) throws DeploymentConfigException {
    JsonNode n;
    try {
      n = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build().readTree(text);
    } catch (IOException e) {
      // Jackson's message quotes the offending line; the config holds no secrets, so it may be shown.
      throw new DeploymentConfigException("(syntax)", "the " + what + " is not valid YAML: "
          + e.getMessage().lines().findFirst().orElse(""));
    }
    if (n == null || n.isMissingNode() || n.isNull()) {
      return YAMLMapper.builder().build().createObjectNode();
    }
    if (!n.isObject()) {
      throw new DeploymentConfigException("(top level)", "the " + what + " must be a YAML mapping");
    }
    return n;
  }

  public String namespace() { return namespace; }
  public String image() { return image; }
  public String imagePullPolicy() { return imagePullPolicy; }
  public String runtimeClassName() { return runtimeClassName; }
  public Tee tee() { return tee; }
  /** The {@code k8s://} master used when the command line names none. */
  public Optional<String> master() { return master; }
  public String serviceAccount() { return serviceAccount; }
  /** Size limit of the memory-backed volume that receives key material after attestation. */
  public long keyVolumeMiB() { return keyVolumeMiB; }
  public String kbsImage() { return kbsImage; }
  public int kbsPort() { return kbsPort; }
  /** Whether the KBS itself runs as a confidential pod (under {@link #runtimeClassName()}). */
  public boolean kbsConfidential() { return kbsConfidential; }
  public int kbsCores() { return kbsCores; }
  public long kbsMemoryMiB() { return kbsMemoryMiB; }
  public long kbsStorageMiB() { return kbsStorageMiB; }
  public Optional<String> kbsStorageClass() { return kbsStorageClass; }
  /** Name of the Secret (created by the operator, never rendered) with the KBS's TLS and CA keys. */
  public String kbsCredentialsSecret() { return kbsCredentialsSecret; }
  /** Name of the ConfigMap holding the KBS CA certificate ({@code ca.pem}), the workloads' trust anchor. */
  public String kbsCaConfigMap() { return kbsCaConfigMap; }
  public Optional<Path> kbsCaCertificateFile() { return kbsCaCertificateFile; }
  public Optional<Path> kbsAttestationPolicyFile() { return kbsAttestationPolicyFile; }
  public Optional<Path> kbsResourcePolicyFile() { return kbsResourcePolicyFile; }
  public Duration kbsTokenLifetime() { return kbsTokenLifetime; }
  public RootKeyType kbsRootKeyType() { return kbsPkcs11RootKey.isPresent() ? RootKeyType.PKCS11 : RootKeyType.FILE; }
  /** The PKCS#11 root key settings when {@code kbs.rootKey.type} is {@code pkcs11}. */
  public Optional<Pkcs11RootKey> kbsPkcs11RootKey() { return kbsPkcs11RootKey; }
  public PodSize driver() { return driver; }
  public PodSize executor() { return executor; }
  /** The attestation agent jar inside the image ({@code ppml-agent.jar} of spark-crypto-io). */
  public String agentJar() { return agentJar; }
  /** The Spark plugin class (spark-crypto-io). */
  public String pluginClass() { return pluginClass; }
  /**
   * The key broker resource holding the application's {@code spark.authenticate} secret; when present the
   * agent fetches it after attestation and turns {@code spark.authenticate} on. Empty: it stays off.
   */
  public Optional<String> authSecretResource() { return authSecretResource; }
  /**
   * Name of the Secret (created by the operator) with the simulated TDX platform's {@code simulated-tdx.json};
   * mounted into the Spark pods only when {@link #tee()} is {@code SIMULATED}.
   */
  public String simulatedTeeSecret() { return simulatedTeeSecret; }
  public List<String> apiServerCidrs() { return apiServerCidrs; }
  public List<Integer> apiServerPorts() { return apiServerPorts; }
  public List<Egress> egress() { return egress; }
  public boolean cocoInitdata() { return cocoInitdata; }
  public Optional<String> cocoImageSecurityPolicyUri() { return cocoImageSecurityPolicyUri; }

  /** The in-cluster address of the KBS: its Service's DNS name. */
  public String kbsUrl() {
    return "https://" + ManifestRenderer.KBS_NAME + "." + namespace + ".svc:" + kbsPort;
  }

  /** Reads dotted keys from the given tree, falling back to the defaults tree, and tracks what was read. */
  private static final class Reader {
    private final JsonNode given;
    private final JsonNode defaults;
    private final Path base;
    private final Set<String> known = new HashSet<>();

    Reader(JsonNode given, JsonNode defaults, Path base) {
      this.given = given;
      this.defaults = defaults;
      this.base = base;
    }

    /** Declares a mapping section and its allowed children. */
    void section(String key, Set<String> children) throws DeploymentConfigException {
      known.add(key);
      JsonNode n = at(given, key);
      if (n != null && !n.isObject()) {
        throw new DeploymentConfigException(key, "must be a mapping");
      }
      if (n != null) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
          String child = it.next();
          if (!children.contains(child)) {
            throw new DeploymentConfigException(key + "." + child, "unknown key");
          }
        }
      }
    }

    void rejectUnknown() throws DeploymentConfigException {
      for (Iterator<String> it = given.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!known.contains(k) && known.stream().noneMatch(x -> x.startsWith(k + "."))) {
          throw new DeploymentConfigException(k, "unknown key");
        }
      }
    }

    private static JsonNode at(JsonNode root, String key) {
      JsonNode n = root;
      for (String part : key.split("\\.")) {
        if (n == null || !n.isObject()) {
          return null;
        }
        n = n.get(part);
      }
      return n;
    }

    private JsonNode value(String key) {
      known.add(key);
      JsonNode n = at(given, key);
      return n == null || n.isNull() ? at(defaults, key) : n;
    }

    Optional<String> optionalText(String key) throws DeploymentConfigException {
      JsonNode n = value(key);
      if (n == null || n.isNull() || (n.isTextual() && n.asText().isEmpty())) {
        return Optional.empty();
      }
      if (!n.isValueNode() || n.isBoolean()) {
        throw new DeploymentConfigException(key, "must be a string");
      }
      return Optional.of(n.asText());
    }

    String text(String key) throws DeploymentConfigException {
      return optionalText(key).orElseThrow(() -> new DeploymentConfigException(key, "is required"));
    }

    String dnsLabel(String key) throws DeploymentConfigException {
      String v = text(key);
      if (!DNS_LABEL.matcher(v).matches()) {
        throw new DeploymentConfigException(key, "must be a DNS-1123 label (lowercase letters, digits, '-')");
      }
      return v;
    }

    String oneOf(String key, Set<String> allowed) throws DeploymentConfigException {
      String v = text(key);
      if (!allowed.contains(v)) {
        throw new DeploymentConfigException(key, "must be one of " + new java.util.TreeSet<>(allowed));
      }
      return v;
    }

    int integer(String key, int min, int max) throws DeploymentConfigException {
      JsonNode n = value(key);
      if (n == null || !n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
        throw new DeploymentConfigException(key, "must be an integer from " + min + " to " + max);
      }
      return n.asInt();
    }

    boolean bool(String key) throws DeploymentConfigException {
      JsonNode n = value(key);
      if (n == null || !n.isBoolean()) {
        throw new DeploymentConfigException(key, "must be true or false");
      }
      return n.asBoolean();
    }

    long sizeMiB(String key) throws DeploymentConfigException {
      var m = SIZE.matcher(text(key));
      if (!m.matches()) {
        throw new DeploymentConfigException(key, "must be a size such as 512m or 4g (k, m, g, t)");
      }
      long n = Long.parseLong(m.group(1));
      long mib = switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "k" -> n / 1024;
        case "m" -> n;
        case "g" -> n * 1024;
        default -> n * 1024 * 1024;
      };
      if (mib < 1) {
        throw new DeploymentConfigException(key, "must be at least 1m");
      }
      return mib;
    }

    Duration duration(String key) throws DeploymentConfigException {
      String v = text(key);
      try {
        Duration d = Duration.parse(v);
        if (d.isNegative() || d.isZero()) {
          throw new DeploymentConfigException(key, "must be positive");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new DeploymentConfigException(key, "must be an ISO-8601 duration such as PT5M");
      }
    }

    Optional<Path> optionalFile(String key) throws DeploymentConfigException {
      Optional<String> v = optionalText(key);
      if (v.isEmpty()) {
        return Optional.empty();
      }
      Path p = base.resolve(v.get()).normalize();
      if (!Files.isRegularFile(p)) {
        throw new DeploymentConfigException(key, "file " + p + " does not exist");
      }
      return Optional.of(p);
    }

    /** {@code kbs.rootKey}: empty for the file root key, the token settings for {@code pkcs11}. */
    Optional<Pkcs11RootKey> rootKey() throws DeploymentConfigException {
      section("kbs.rootKey", Set.of("type", "pkcs11"));
      section("kbs.rootKey.pkcs11", Set.of("library", "slotListIndex", "keyLabel", "pinSecret",
          "moduleConfigSecret", "moduleConfigEnv"));
      String library = text(KBS_PKCS11_LIBRARY);
      if (!ABSOLUTE_PATH.matcher(library).matches()) {
        throw new DeploymentConfigException(KBS_PKCS11_LIBRARY, "must be an absolute path inside the KBS image "
            + "(letters, digits, '.', '_', '+', '-')");
      }
      int slot = integer(KBS_PKCS11_SLOT_LIST_INDEX, 0, 1023);
      String label = text(KBS_PKCS11_KEY_LABEL);
      if (!KEY_LABEL.matcher(label).matches()) {
        throw new DeploymentConfigException(KBS_PKCS11_KEY_LABEL, "must be 1-64 of A-Z, a-z, 0-9, '.', '_', '-'");
      }
      String pinSecret = dnsLabel(KBS_PKCS11_PIN_SECRET);
      Optional<String> moduleSecret = optionalText(KBS_PKCS11_MODULE_CONFIG_SECRET);
      if (moduleSecret.isPresent() && !DNS_LABEL.matcher(moduleSecret.get()).matches()) {
        throw new DeploymentConfigException(KBS_PKCS11_MODULE_CONFIG_SECRET, "must be a DNS-1123 label");
      }
      Map<String, String> env = moduleConfigEnv();
      if (!env.isEmpty() && moduleSecret.isEmpty()) {
        throw new DeploymentConfigException(KBS_PKCS11_MODULE_CONFIG_ENV, "names files of "
            + KBS_PKCS11_MODULE_CONFIG_SECRET + ", which is not set");
      }
      if (oneOf(KBS_ROOT_KEY_TYPE, Set.of("file", "pkcs11")).equals("file")) {
        return Optional.empty();
      }
      return Optional.of(new Pkcs11RootKey(library, slot, label, pinSecret, moduleSecret, env));
    }

    private Map<String, String> moduleConfigEnv() throws DeploymentConfigException {
      JsonNode n = value(KBS_PKCS11_MODULE_CONFIG_ENV);
      Map<String, String> out = new TreeMap<>();
      if (n == null || n.isNull()) {
        return out;
      }
      if (!n.isObject()) {
        throw new DeploymentConfigException(KBS_PKCS11_MODULE_CONFIG_ENV, "must be a mapping of environment "
            + "variable names to file names");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String where = KBS_PKCS11_MODULE_CONFIG_ENV + "." + e.getKey();
        if (!ENV_NAME.matcher(e.getKey()).matches()) {
          throw new DeploymentConfigException(where, "must be an environment variable name (A-Z, 0-9, '_')");
        }
        if (!e.getValue().isTextual() || !FILE_NAME.matcher(e.getValue().asText()).matches()) {
          throw new DeploymentConfigException(where, "must be the name of a file in "
              + KBS_PKCS11_MODULE_CONFIG_SECRET);
        }
        out.put(e.getKey(), e.getValue().asText());
      }
      return Collections.unmodifiableMap(out);
    }

    PodSize podSize(String key, boolean withInstances) throws DeploymentConfigException {
      Set<String> children = withInstances ? Set.of(CORES, MEMORY, MEMORY_OVERHEAD, INSTANCES)
          : Set.of(CORES, MEMORY, MEMORY_OVERHEAD);
      section(key, children);
      return new PodSize(integer(key + "." + CORES, 1, 1024), sizeMiB(key + "." + MEMORY),
          sizeMiB(key + "." + MEMORY_OVERHEAD), withInstances ? integer(key + "." + INSTANCES, 1, 10_000) : 1);
    }

    List<String> cidrs(String key) throws DeploymentConfigException {
      List<String> out = new ArrayList<>();
      for (JsonNode n : list(key)) {
        if (!n.isTextual() || !CIDR.matcher(n.asText()).matches()) {
          throw new DeploymentConfigException(key, "entries must be CIDR blocks such as 10.0.0.1/32");
        }
        out.add(n.asText());
      }
      return List.copyOf(out);
    }

    List<Integer> ports(String key) throws DeploymentConfigException {
      return portsOf(key, list(key));
    }

    private static List<Integer> portsOf(String key, JsonNode array) throws DeploymentConfigException {
      List<Integer> out = new ArrayList<>();
      for (JsonNode n : array) {
        if (!n.isIntegralNumber() || n.asInt() < 1 || n.asInt() > 65535) {
          throw new DeploymentConfigException(key, "entries must be port numbers from 1 to 65535");
        }
        out.add(n.asInt());
      }
      return List.copyOf(out);
    }

    List<Egress> egress(String key) throws DeploymentConfigException {
      List<Egress> out = new ArrayList<>();
      int i = 0;
      for (JsonNode n : list(key)) {
        String where = key + "[" + i++ + "]";
        if (!n.isObject() || !n.path("cidr").isTextual() || !CIDR.matcher(n.path("cidr").asText()).matches()
            || !n.path("ports").isArray() || n.size() != 2) {
          throw new DeploymentConfigException(where, "must be {cidr: <CIDR block>, ports: [<port>, ...]}");
        }
        out.add(new Egress(n.get("cidr").asText(), portsOf(where + ".ports", n.get("ports"))));
      }
      return List.copyOf(out);
    }

    private JsonNode list(String key) throws DeploymentConfigException {
      JsonNode n = value(key);
      if (n == null) {
        return YAMLMapper.builder().build().createArrayNode();
      }
      if (!n.isArray()) {
        throw new DeploymentConfigException(key, "must be a list");
      }
      return n;
    }
  }
}
