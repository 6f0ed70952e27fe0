package io.ppml.k8s;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the arguments of Spark's own {@code spark-submit} for a protected job on Kubernetes: the caller's
 * command line (as given to spark-submit) plus the PPML settings, inserted before the application jar.
 * <ul>
 *   <li>Owned settings (namespace, service account, image, pod templates, KBS address and trust anchor, TEE,
 *       encrypted shuffle and spill, event log and UI off) come from the {@link DeploymentConfig}; a command
 *       line that sets one of them is rejected, so a job cannot opt out of its protection.</li>
 *   <li>Sizes (cores, memory, overhead, executor count) default to the configuration; the caller's own
 *       values win, because Spark applies them to the pods anyway.</li>
 *   <li>{@code spark.plugins}: the PPML plugin comes first, the caller's plugins follow.</li>
 *   <li>Settings the attestation agent makes inside each attested JVM (TLS: {@code spark.ssl.*}, Spark's own
 *       encryption {@code spark.network.crypto.*}, {@code spark.authenticate*}) are neither passed nor accepted:
 *       a value on the command line would reach the driver's properties file and replace the agent's.</li>
 * </ul>
 * Only cluster deploy mode with a {@code k8s://} master is accepted. Conf keys that would put secrets into
 * pod specs ({@code secretKeyRef}) or replace the agent or its {@code PPML_*} environment are rejected: keys
 * reach the pods from the KBS, after attestation.
 */
public final class SubmitCommandBuilder {
  private static final Set<String> NO_VALUE = Set.of("--verbose", "-v", "--supervise", "--help", "-h", "--version",
      "--usage-error");
  /** spark-submit options that are shorthands for a conf key. */
  private static final Map<String, String> OPTION_KEYS = Map.of(
      "--driver-memory", "spark.driver.memory",
      "--driver-cores", "spark.driver.cores",
      "--executor-memory", "spark.executor.memory",
      "--executor-cores", "spark.executor.cores",
      "--num-executors", "spark.executor.instances",
      "--driver-java-options", "spark.driver.extraJavaOptions");
  private static final List<String> FORBIDDEN_KEY_PARTS = List.of(".secretKeyRef.", "JAVA_TOOL_OPTIONS",
      "Env.PPML_");
  /** Set by the attestation agent as system properties of each attested JVM. */
  private static final List<String> AGENT_KEY_PREFIXES = List.of("spark.ssl.", "spark.authenticate",
      "spark.network.crypto.");
  static final String PLUGINS = "spark.plugins";

  private final DeploymentConfig config;
  private final Path driverTemplate;
  private final Path executorTemplate;

  /** {@code driverTemplate} and {@code executorTemplate}: the files {@link ManifestRenderer#writeTo} wrote. */
  public SubmitCommandBuilder(DeploymentConfig config, Path driverTemplate, Path executorTemplate) {
    this.config = config;
    this.driverTemplate = driverTemplate.toAbsolutePath();
    this.executorTemplate = executorTemplate.toAbsolutePath();
  }

  /** The settings a command line may not change, in the order they are passed. */
  public Map<String, String> ownedSettings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.kubernetes.namespace", config.namespace());
    m.put("spark.kubernetes.authenticate.driver.serviceAccountName", config.serviceAccount());
    m.put("spark.kubernetes.container.image", config.image());
    m.put("spark.kubernetes.driver.container.image", config.image());
    m.put("spark.kubernetes.executor.container.image", config.image());
    m.put("spark.kubernetes.container.image.pullPolicy", config.imagePullPolicy());
    m.put("spark.kubernetes.driver.podTemplateFile", driverTemplate.toString());
    m.put("spark.kubernetes.executor.podTemplateFile", executorTemplate.toString());
    m.put("spark.kubernetes.driver.podTemplateContainerName", ManifestRenderer.DRIVER_CONTAINER);
    m.put("spark.kubernetes.executor.podTemplateContainerName", ManifestRenderer.EXECUTOR_CONTAINER);
    m.put("spark.ppml.kms.type", "kbs");
    m.put("spark.ppml.kbs.url", config.kbsUrl());
    m.put("spark.ppml.kbs.ca", ManifestRenderer.CA_FILE);
    m.put("spark.ppml.tee", config.tee().id());
    if (config.tee() == DeploymentConfig.Tee.SIMULATED) {
      m.put("spark.ppml.tee.simulated.state", ManifestRenderer.SIMULATED_TEE_DIR);
    }
    m.put("spark.io.encryption.enabled", "true");
    m.put("spark.eventLog.enabled", "false");
    m.put("spark.ui.enabled", "false");
    return m;
  }

  private Map<String, String> defaultSizes() {
    DeploymentConfig.PodSize d = config.driver();
    DeploymentConfig.PodSize e = config.executor();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.driver.cores", Integer.toString(d.cores()));
    m.put("spark.kubernetes.driver.limit.cores", Integer.toString(d.cores()));
    m.put("spark.driver.memory", d.memoryMiB() + "m");
    m.put("spark.driver.memoryOverhead", d.memoryOverheadMiB() + "m");
    m.put("spark.executor.instances", Integer.toString(e.instances()));
    m.put("spark.executor.cores", Integer.toString(e.cores()));
    m.put("spark.kubernetes.executor.limit.cores", Integer.toString(e.cores()));
    m.put("spark.executor.memory", e.memoryMiB() + "m");
    m.put("spark.executor.memoryOverhead", e.memoryOverheadMiB() + "m");
    return m;
  }

  /**
   * The spark-submit arguments (without the executable) for {@code userArgs}, which are written as for
   * spark-submit: options, then the application resource and its arguments.
   */
  public List<String> build(List<String> userArgs) throws DeploymentConfigException {
    List<String> options = new ArrayList<>();
    Map<String, String> userKeys = new LinkedHashMap<>();
    Optional<String> master = Optional.empty();
    Optional<String> userPlugins = Optional.empty();
    int i = 0;
    for (; i < userArgs.size(); i++) {
      String arg = userArgs.get(i);
      if (!arg.startsWith("-")) {
        break;
      }
      if (NO_VALUE.contains(arg)) {
        options.add(arg);
        continue;
      }
      String name = arg;
      String value;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        value = arg.substring(eq + 1);
      } else {
        if (i + 1 >= userArgs.size()) {
          throw new DeploymentConfigException(arg, "needs a value");
        }
        value = userArgs.get(++i);
      }
      switch (name) {
        case "--master" -> master = Optional.of(value);
        case "--deploy-mode" -> {
          if (!value.equals("cluster")) {
            throw new DeploymentConfigException("--deploy-mode", "must be cluster: the driver must run in a "
                + "confidential pod");
          }
        }
        case "--conf", "-c" -> {
          int kv = value.indexOf('=');
          if (kv <= 0) {
            throw new DeploymentConfigException(name, "expects key=value, got a value without '='");
          }
          String key = value.substring(0, kv);
          checkKey(key);
          userKeys.put(key, value.substring(kv + 1));
          if (key.equals(PLUGINS)) {
            userPlugins = Optional.of(value.substring(kv + 1));
          } else {
            options.add("--conf");
            options.add(value);
          }
        }
        default -> {
          if (OPTION_KEYS.containsKey(name)) {
            userKeys.put(OPTION_KEYS.get(name), value);
          }
          options.add(name);
          options.add(value);
        }
      }
    }
    if (i >= userArgs.size()) {
      throw new DeploymentConfigException("(application)", "no application jar or file given");
    }
    String m = master.or(config::master).orElseThrow(() -> new DeploymentConfigException("--master",
        "is required (or set '" + DeploymentConfig.MASTER + "' in the configuration)"));
    if (!m.startsWith("k8s://")) {
      throw new DeploymentConfigException("--master", "must be a k8s:// URL");
    }

    List<String> out = new ArrayList<>(List.of("--master", m, "--deploy-mode", "cluster"));
    out.addAll(options);
    for (Map.Entry<String, String> e : ownedSettings().entrySet()) {
      conf(out, e.getKey(), e.getValue());
    }
    conf(out, PLUGINS, config.pluginClass() + userPlugins.map(p -> "," + p).orElse(""));
    for (Map.Entry<String, String> e : defaultSizes().entrySet()) {
      if (!userKeys.containsKey(e.getKey())) {
        conf(out, e.getKey(), e.getValue());
      }
    }
    out.addAll(userArgs.subList(i, userArgs.size()));
    return out;
  }

  private void checkKey(String key) throws DeploymentConfigException {
    if (ownedSettings().containsKey(key)) {
      throw new DeploymentConfigException(key, "is set by the PPML deployment configuration and may not be "
          + "overridden on the command line");
    }
    for (String prefix : AGENT_KEY_PREFIXES) {
      if (key.startsWith(prefix)) {
        throw new DeploymentConfigException(key, "is set by the attestation agent inside each attested JVM and "
            + "may not be set on the command line");
      }
    }
    for (String part : FORBIDDEN_KEY_PARTS) {
      if (key.contains(part)) {
        throw new DeploymentConfigException(key, "is not allowed: keys and the attestation agent reach the pods "
            + "only through the pod templates and the KBS");
      }
    }
  }

  private static void conf(List<String> out, String key, String value) {
    out.add("--conf");
    out.add(key + "=" + value);
  }
}
