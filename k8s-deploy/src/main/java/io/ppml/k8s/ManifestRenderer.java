package io.ppml.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Turns a {@link DeploymentConfig} into typed fabric8 objects and YAML files. The same configuration always
 * gives the same objects, names and bytes, in the order they must be applied. Nothing rendered carries key
 * material: the KBS's keys (and a PKCS#11 token's PIN) come from Secrets the operator creates, referenced by
 * name only and mounted as files; the Spark pods' attestation agent receives its keys from the KBS, after
 * attestation, into a memory-backed volume.
 */
public final class ManifestRenderer {
  public static final String KBS_NAME = "ppml-kbs";
  public static final String KBS_CONFIG_MAP = "ppml-kbs-config";
  public static final String KBS_STATE_CLAIM = "ppml-kbs-state";
  public static final String DRIVER_ROLE = "ppml-spark-driver";
  public static final String SPARK_POLICY = "ppml-spark";
  public static final String DRIVER_API_POLICY = "ppml-spark-driver-api";
  public static final String DRIVER_TEMPLATE_FILE = "driver-pod-template.yaml";
  public static final String EXECUTOR_TEMPLATE_FILE = "executor-pod-template.yaml";
  public static final String DRIVER_CONTAINER = "spark-kubernetes-driver";
  public static final String EXECUTOR_CONTAINER = "spark-kubernetes-executor";
  /** Mount point of the memory-backed volume (a tmpfs inside the TD, never a disk). */
  public static final String KEY_VOLUME_DIR = "/run/ppml";
  /**
   * {@code PPML_KEY_DIR}: the agent's private directory on that volume. The agent creates it with mode 0700; the
   * volume's own root cannot be used, because the kubelet creates it world-writable and owned by root.
   */
  public static final String KEY_DIR = KEY_VOLUME_DIR + "/keys";
  public static final String CA_DIR = "/etc/ppml/kbs-ca";
  public static final String CA_FILE = CA_DIR + "/ca.pem";
  /** {@code PPML_TEE_STATE} of {@code tee: simulated}: the simulated platform's Secret, mounted read-only. */
  public static final String SIMULATED_TEE_DIR = "/etc/ppml/simulated-tee";
  public static final String INITDATA_ANNOTATION = "io.katacontainers.config.hypervisor.cc_init_data";

  static final String PART_OF = "app.kubernetes.io/part-of";
  static final String COMPONENT = "app.kubernetes.io/component";
  static final String SPARK_ROLE = "ppml.io/spark-role";
  static final String PART_OF_VALUE = "ppml-spark";
  /** UID of the {@code spark} user in Apache Spark's images. */
  static final long SPARK_UID = 185;
  static final long KBS_UID = 10001;
  static final String KBS_CONFIG_DIR = "/etc/ppml-kbs/config";
  static final String KBS_CREDENTIALS_DIR = "/etc/ppml-kbs/credentials";
  static final String KBS_STATE_DIR = "/var/lib/ppml-kbs";
  static final String KBS_PKCS11_PIN_DIR = "/etc/ppml-kbs/pkcs11-pin";
  /** The key of the PIN Secret; the KBS reads the PIN from this file ({@code rootKey.pinFile}). */
  static final String KBS_PKCS11_PIN_KEY = "pin";
  static final String KBS_PKCS11_MODULE_DIR = "/etc/ppml-kbs/pkcs11";

  private final DeploymentConfig config;
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  public ManifestRenderer(DeploymentConfig config) {
    this.config = config;
  }

  /** A rendered file: its name in the output directory and the object it holds. */
  public record RenderedFile(String name, HasMetadata object) {}

  /** The objects {@code apply} creates, in creation order (the pod templates are not among them). */
  public List<HasMetadata> clusterObjects() throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    for (RenderedFile f : clusterFiles()) {
      out.add(f.object());
    }
    return out;
  }

  /** Every file {@link #writeTo} writes, in order: the cluster objects, then the two pod templates. */
  public List<RenderedFile> files() throws IOException {
    List<RenderedFile> out = new ArrayList<>(clusterFiles());
    out.add(new RenderedFile(DRIVER_TEMPLATE_FILE, driverTemplate()));
    out.add(new RenderedFile(EXECUTOR_TEMPLATE_FILE, executorTemplate()));
    return out;
  }

  private List<RenderedFile> clusterFiles() throws IOException {
    List<RenderedFile> out = new ArrayList<>();
    out.add(new RenderedFile("00-namespace.yaml", namespace()));
    out.add(new RenderedFile("10-serviceaccount.yaml", serviceAccount()));
    out.add(new RenderedFile("11-role.yaml", driverRole()));
    out.add(new RenderedFile("12-rolebinding.yaml", driverRoleBinding()));
    out.add(new RenderedFile("20-kbs-configmap.yaml", kbsConfigMap()));
    if (config.kbsCaCertificateFile().isPresent()) {
      out.add(new RenderedFile("21-kbs-ca-configmap.yaml", caConfigMap()));
    }
    out.add(new RenderedFile("22-kbs-pvc.yaml", kbsClaim()));
    out.add(new RenderedFile("23-kbs-deployment.yaml", kbsDeployment()));
    out.add(new RenderedFile("24-kbs-service.yaml", kbsService()));
    out.add(new RenderedFile("30-networkpolicy-spark.yaml", sparkNetworkPolicy()));
    out.add(new RenderedFile("31-networkpolicy-driver-api.yaml", driverApiNetworkPolicy()));
    out.add(new RenderedFile("32-networkpolicy-kbs.yaml", kbsNetworkPolicy()));
    return out;
  }

  /** Writes every file into {@code dir} (created if needed) and returns their paths, in order. */
  public List<Path> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    for (RenderedFile f : files()) {
      Path p = dir.resolve(f.name());
      Files.writeString(p, toYaml(f.object()));
      written.add(p);
    }
    return written;
  }

  /** The YAML form of one rendered object. */
  public String toYaml(HasMetadata object) {
    return serialization.asYaml(object);
  }

  Namespace namespace() {
    return new NamespaceBuilder().withMetadata(meta(config.namespace(), null, "namespace")).build();
  }

  ServiceAccount serviceAccount() {
    return new ServiceAccountBuilder().withMetadata(meta(config.serviceAccount(), config.namespace(), "spark"))
        .build();
  }

  /** What Spark's driver needs to run executors: pods, their services, config maps and claims; nothing else. */
  Role driverRole() {
    return new RoleBuilder().withMetadata(meta(DRIVER_ROLE, config.namespace(), "spark"))
        .addNewRule().withApiGroups("").withResources("pods", "services", "configmaps", "persistentvolumeclaims")
        .withVerbs("create", "get", "list", "watch", "update", "patch", "delete", "deletecollection").endRule()
        .build();
  }

  RoleBinding driverRoleBinding() {
    return new RoleBindingBuilder().withMetadata(meta(DRIVER_ROLE, config.namespace(), "spark"))
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("Role").withName(DRIVER_ROLE)
        .endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName(config.serviceAccount())
        .withNamespace(config.namespace()).endSubject()
        .build();
  }

  /** The KBS configuration in the format of {@code ppml kbs serve --config} (docs/kbs.md) and its policies. */
  ConfigMap kbsConfigMap() throws IOException {
    Map<String, String> data = new TreeMap<>();
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Rendered by ppml k8s render. Paths are inside the KBS pod; key files come from the Secret\n")
        .append("# ").append(config.kbsCredentialsSecret()).append(" and the state volume, never from here.\n")
        .append("listen:\n  host: 0.0.0.0\n  port: ").append(config.kbsPort()).append('\n')
        .append("stateDir: ").append(KBS_STATE_DIR).append('\n')
        .append("tls:\n  certificate: ").append(KBS_CREDENTIALS_DIR).append("/tls.pem\n")
        .append("  privateKey: ").append(KBS_CREDENTIALS_DIR).append("/tls-key.pem\n")
        .append("workloadCa:\n  certificate: ").append(KBS_CREDENTIALS_DIR).append("/ca.pem\n")
        .append("  privateKey: ").append(KBS_CREDENTIALS_DIR).append("/ca-key.pem\n")
        .append(rootKeyYaml())
        .append("adminKeys:\n  - ").append(KBS_CREDENTIALS_DIR).append("/admin.pem\n")
        .append("tokenLifetime: ").append(config.kbsTokenLifetime()).append('\n');
    if (config.kbsAttestationPolicyFile().isPresent()) {
      data.put("attestation-policy.yaml", Files.readString(config.kbsAttestationPolicyFile().get()));
      yaml.append("attestationPolicy: ").append(KBS_CONFIG_DIR).append("/attestation-policy.yaml\n");
    }
    if (config.kbsResourcePolicyFile().isPresent()) {
      data.put("resource-policy.yaml", Files.readString(config.kbsResourcePolicyFile().get()));
      yaml.append("resourcePolicy: ").append(KBS_CONFIG_DIR).append("/resource-policy.yaml\n");
    }
    data.put("config.yaml", yaml.toString());
    return new ConfigMapBuilder().withMetadata(meta(KBS_CONFIG_MAP, config.namespace(), "kbs")).withData(data)
        .build();
  }

  /** {@code rootKey} of the KBS configuration: the PIN is named by its file, never written. */
  private String rootKeyYaml() {
    if (config.kbsPkcs11RootKey().isEmpty()) {
      return "rootKey:\n  type: file\n";
    }
    DeploymentConfig.Pkcs11RootKey p = config.kbsPkcs11RootKey().get();
    return "rootKey:\n  type: pkcs11\n"
        + "  library: " + p.library() + "\n"
        + "  slotListIndex: " + p.slotListIndex() + "\n"
        + "  pinFile: " + KBS_PKCS11_PIN_DIR + "/" + KBS_PKCS11_PIN_KEY + "\n"
        + "  keyLabel: " + p.keyLabel() + "\n";
  }

  ConfigMap caConfigMap() throws IOException {
    String pem = Files.readString(config.kbsCaCertificateFile().orElseThrow());
    return new ConfigMapBuilder().withMetadata(meta(config.kbsCaConfigMap(), config.namespace(), "kbs"))
        .withData(Map.of("ca.pem", pem)).build();
  }

  PersistentVolumeClaim kbsClaim() {
    return new PersistentVolumeClaimBuilder().withMetadata(meta(KBS_STATE_CLAIM, config.namespace(), "kbs"))
        .withNewSpec().withAccessModes("ReadWriteOnce").withStorageClassName(config.kbsStorageClass().orElse(null))
        .withNewResources().withRequests(Map.of("storage", mib(config.kbsStorageMiB()))).endResources()
        .endSpec().build();
  }

  Deployment kbsDeployment() {
    List<VolumeMount> mounts = new ArrayList<>(List.of(
        mount("config", KBS_CONFIG_DIR, true),
        mount("credentials", KBS_CREDENTIALS_DIR, true),
        mount("state", KBS_STATE_DIR, false),
        mount("tmp", "/tmp", false)));
    List<Volume> volumes = new ArrayList<>(List.of(
        new VolumeBuilder().withName("config").withNewConfigMap().withName(KBS_CONFIG_MAP).endConfigMap().build(),
        secretVolume("credentials", config.kbsCredentialsSecret()),
        new VolumeBuilder().withName("state").withNewPersistentVolumeClaim().withClaimName(KBS_STATE_CLAIM)
            .endPersistentVolumeClaim().build(),
        memoryVolume("tmp", 64)));
    List<EnvVar> env = new ArrayList<>();
    config.kbsPkcs11RootKey().ifPresent(p -> {
      mounts.add(mount("pkcs11-pin", KBS_PKCS11_PIN_DIR, true));
      volumes.add(secretVolume("pkcs11-pin", p.pinSecret()));
      p.moduleConfigSecret().ifPresent(secret -> {
        mounts.add(mount("pkcs11-module", KBS_PKCS11_MODULE_DIR, true));
        volumes.add(secretVolume("pkcs11-module", secret));
      });
      p.moduleConfigEnv().forEach((name, file) -> env.add(env(name, KBS_PKCS11_MODULE_DIR + "/" + file)));
    });
    Container kbs = new ContainerBuilder().withName("kbs").withImage(config.kbsImage())
        .withImagePullPolicy(config.imagePullPolicy())
        .withCommand("ppml", "kbs", "serve", "--config", KBS_CONFIG_DIR + "/config.yaml")
        .addNewPort().withName("https").withContainerPort(config.kbsPort()).withProtocol("TCP").endPort()
        // The KBS's own health endpoints (docs/kbs.md); the kubelet does not verify the certificate.
        .withNewReadinessProbe().withNewHttpGet().withPath("/readyz").withPort(new IntOrString("https"))
        .withScheme("HTTPS").endHttpGet().withPeriodSeconds(5).endReadinessProbe()
        .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString("https"))
        .withScheme("HTTPS").endHttpGet().withPeriodSeconds(10).withFailureThreshold(6).endLivenessProbe()
        .withResources(resources(config.kbsCores(), config.kbsMemoryMiB()))
        .withSecurityContext(containerSecurity(true))
        .withEnv(env)
        .withVolumeMounts(mounts)
        .build();
    PodSpecBuilder spec = new PodSpecBuilder()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withSecurityContext(podSecurity(KBS_UID))
        .withContainers(kbs)
        .withVolumes(volumes);
    if (config.kbsConfidential()) {
      spec.withRuntimeClassName(config.runtimeClassName());
    }
    Map<String, String> labels = labels("kbs", null);
    return new DeploymentBuilder().withMetadata(meta(KBS_NAME, config.namespace(), "kbs"))
        .withNewSpec().withReplicas(1)
        // One writer of the state volume at a time: the old pod stops before the new one starts.
        .withNewStrategy().withType("Recreate").endStrategy()
        .withNewSelector().withMatchLabels(labels).endSelector()
        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata().withSpec(spec.build()).endTemplate()
        .endSpec().build();
  }

  Service kbsService() {
    return new ServiceBuilder().withMetadata(meta(KBS_NAME, config.namespace(), "kbs"))
        .withNewSpec().withType("ClusterIP").withSelector(labels("kbs", null))
        .addNewPort().withName("https").withPort(config.kbsPort()).withTargetPort(new IntOrString("https"))
        .withProtocol("TCP").endPort()
        .endSpec().build();
  }

  /** Spark pods talk to each other, to the KBS and to DNS (plus the configured data egress); nothing else. */
  NetworkPolicy sparkNetworkPolicy() {
    List<NetworkPolicyEgressRule> egress = new ArrayList<>();
    egress.add(new NetworkPolicyEgressRuleBuilder().withTo(sparkPeer()).build());
    egress.add(new NetworkPolicyEgressRuleBuilder().withTo(kbsPeer()).withPorts(tcp(config.kbsPort())).build());
    egress.add(dnsEgress());
    for (DeploymentConfig.Egress e : config.egress()) {
      egress.add(new NetworkPolicyEgressRuleBuilder()
          .withTo(new NetworkPolicyPeerBuilder().withNewIpBlock().withCidr(e.cidr()).endIpBlock().build())
          .withPorts(e.ports().stream().map(ManifestRenderer::tcp).toList()).build());
    }
    return new NetworkPolicyBuilder().withMetadata(meta(SPARK_POLICY, config.namespace(), "spark"))
        .withNewSpec().withPodSelector(selector(labels("spark", null))).withPolicyTypes("Ingress", "Egress")
        .addNewIngress().withFrom(sparkPeer()).endIngress()
        .withEgress(egress)
        .endSpec().build();
  }

  /** Only the driver reaches the Kubernetes API server (to create and watch executors). */
  NetworkPolicy driverApiNetworkPolicy() {
    NetworkPolicyEgressRuleBuilder rule = new NetworkPolicyEgressRuleBuilder()
        .withPorts(config.apiServerPorts().stream().map(ManifestRenderer::tcp).toList());
    for (String cidr : config.apiServerCidrs()) {
      rule.addNewTo().withNewIpBlock().withCidr(cidr).endIpBlock().endTo();
    }
    return new NetworkPolicyBuilder().withMetadata(meta(DRIVER_API_POLICY, config.namespace(), "spark"))
        .withNewSpec().withPodSelector(selector(labels("spark", "driver"))).withPolicyTypes("Egress")
        .withEgress(rule.build())
        .endSpec().build();
  }

  /** The KBS accepts connections only from the Spark pods and may only resolve names. */
  NetworkPolicy kbsNetworkPolicy() {
    return new NetworkPolicyBuilder().withMetadata(meta(KBS_NAME, config.namespace(), "kbs"))
        .withNewSpec().withPodSelector(selector(labels("kbs", null))).withPolicyTypes("Ingress", "Egress")
        .addNewIngress().withFrom(sparkPeer()).withPorts(tcp(config.kbsPort())).endIngress()
        .withEgress(dnsEgress())
        .endSpec().build();
  }

  /** The driver pod template handed to {@code spark.kubernetes.driver.podTemplateFile}. */
  public Pod driverTemplate() throws IOException {
    return sparkPod("driver", DRIVER_CONTAINER, config.driver(), true);
  }

  /** The executor pod template handed to {@code spark.kubernetes.executor.podTemplateFile}. */
  public Pod executorTemplate() throws IOException {
    return sparkPod("executor", EXECUTOR_CONTAINER, config.executor(), false);
  }

  private Pod sparkPod(String role, String containerName, DeploymentConfig.PodSize size, boolean driver)
      throws IOException {
    Container c = new ContainerBuilder().withName(containerName).withImage(config.image())
        .withImagePullPolicy(config.imagePullPolicy())
        .withEnv(sparkEnv())
        .withResources(resources(size.cores(), size.podMemoryMiB()))
        .withSecurityContext(containerSecurity(false))
        .withVolumeMounts(sparkMounts())
        .build();
    PodSpec spec = new PodSpecBuilder()
        .withRuntimeClassName(config.runtimeClassName())
        .withServiceAccountName(driver ? config.serviceAccount() : null)
        // Executors never talk to the API server; the driver needs its token to run them.
        .withAutomountServiceAccountToken(driver)
        .withEnableServiceLinks(false)
        .withSecurityContext(podSecurity(SPARK_UID))
        .withContainers(c)
        .withVolumes(sparkVolumes())
        .build();
    ObjectMetaBuilder meta = new ObjectMetaBuilder().withLabels(labels("spark", role));
    if (config.cocoInitdata()) {
      meta.withAnnotations(Map.of(INITDATA_ANNOTATION, initdata()));
    }
    return new PodBuilder().withMetadata(meta.build()).withSpec(spec).build();
  }

  private List<Volume> sparkVolumes() {
    List<Volume> v = new ArrayList<>(List.of(memoryVolume("ppml-keys", config.keyVolumeMiB()),
        new VolumeBuilder().withName("kbs-ca").withNewConfigMap().withName(config.kbsCaConfigMap())
            .endConfigMap().build()));
    if (config.tee() == DeploymentConfig.Tee.SIMULATED) {
      v.add(secretVolume("simulated-tee", config.simulatedTeeSecret()));
    }
    return v;
  }

  private List<VolumeMount> sparkMounts() {
    List<VolumeMount> m = new ArrayList<>(List.of(mount("ppml-keys", KEY_VOLUME_DIR, false),
        mount("kbs-ca", CA_DIR, true)));
    if (config.tee() == DeploymentConfig.Tee.SIMULATED) {
      m.add(mount("simulated-tee", SIMULATED_TEE_DIR, true));
    }
    return m;
  }

  /**
   * The attestation agent's settings: addresses, paths and a resource name, nothing secret. The
   * agent runs in every JVM of the container through JAVA_TOOL_OPTIONS, so it is part of the template and no
   * spark-submit option can leave it out; the executors get the same variables from their own template.
   */
  private List<EnvVar> sparkEnv() {
    List<EnvVar> e = new ArrayList<>(List.of(
        env("JAVA_TOOL_OPTIONS", "-javaagent:" + config.agentJar()),
        env("PPML_KBS_URL", config.kbsUrl()),
        env("PPML_KBS_CA", CA_FILE),
        env("PPML_TEE", config.tee().id())));
    if (config.tee() == DeploymentConfig.Tee.SIMULATED) {
      e.add(env("PPML_TEE_STATE", SIMULATED_TEE_DIR));
    }
    e.add(env("PPML_KEY_DIR", KEY_DIR));
    config.authSecretResource().ifPresent(r -> e.add(env("PPML_SPARK_AUTH_SECRET", r)));
    return e;
  }

  /**
   * Confidential Containers initdata: the guest's attestation agent and confidential data hub use this KBS
   * and trust its CA; the optional image security policy makes the data hub verify or decrypt images. Kata
   * measures initdata into the TD, so a policy can pin it. Encoded as gzip then base64, as Kata expects.
   */
  String initdata() throws IOException {
    String ca = Files.readString(config.kbsCaCertificateFile().orElseThrow()).strip();
    String url = config.kbsUrl();
    StringBuilder toml = new StringBuilder()
        .append("algorithm = \"sha384\"\nversion = \"0.1.0\"\n\n[data]\n")
        .append("\"aa.toml\" = '''\n[token_configs]\n[token_configs.kbs]\n")
        .append("url = \"").append(url).append("\"\ncert = \"\"\"\n").append(ca).append("\n\"\"\"\n'''\n\n")
        .append("\"cdh.toml\" = '''\nsocket = 'unix:///run/confidential-containers/cdh.sock'\ncredentials = []\n\n")
        .append("[kbc]\nname = \"cc_kbc\"\nurl = \"").append(url).append("\"\nkbs_cert = \"\"\"\n").append(ca)
        .append("\n\"\"\"\n");
    config.cocoImageSecurityPolicyUri().ifPresent(uri ->
        toml.append("\n[image]\nimage_security_policy_uri = \"").append(uri).append("\"\n"));
    toml.append("'''\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(toml.toString().getBytes(StandardCharsets.UTF_8));
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private ObjectMeta meta(String name, String namespace, String component) {
    return new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(labels(component, null))
        .build();
  }

  private static Map<String, String> labels(String component, String sparkRole) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(PART_OF, PART_OF_VALUE);
    m.put(COMPONENT, component);
    if (sparkRole != null) {
      m.put(SPARK_ROLE, sparkRole);
    }
    return m;
  }

  private static LabelSelector selector(Map<String, String> labels) {
    return new LabelSelectorBuilder().withMatchLabels(labels).build();
  }

  private static NetworkPolicyPeer sparkPeer() {
    return new NetworkPolicyPeerBuilder().withPodSelector(selector(labels("spark", null))).build();
  }

  private static NetworkPolicyPeer kbsPeer() {
    return new NetworkPolicyPeerBuilder().withPodSelector(selector(labels("kbs", null))).build();
  }

  private static NetworkPolicyEgressRule dnsEgress() {
    return new NetworkPolicyEgressRuleBuilder()
        .addNewTo().withNamespaceSelector(new LabelSelector()).withPodSelector(selector(Map.of("k8s-app", "kube-dns")))
        .endTo()
        .withPorts(new NetworkPolicyPortBuilder().withProtocol("UDP").withPort(new IntOrString(53)).build(),
            new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(53)).build())
        .build();
  }

  private static NetworkPolicyPort tcp(int port) {
    return new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(port)).build();
  }

  private static PodSecurityContext podSecurity(long uid) {
    return new PodSecurityContextBuilder().withRunAsNonRoot(true).withRunAsUser(uid).withRunAsGroup(uid)
        .withFsGroup(uid).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
  }

  private static SecurityContext containerSecurity(boolean readOnlyRoot) {
    return new SecurityContextBuilder().withPrivileged(false).withAllowPrivilegeEscalation(false)
        .withRunAsNonRoot(true)
        // Spark writes under its work directory, so only the KBS gets a read-only root file system.
        .withReadOnlyRootFilesystem(readOnlyRoot ? true : null)
        .withNewCapabilities().withDrop("ALL").endCapabilities().build();
  }

  private static ResourceRequirements resources(int cores, long memoryMiB) {
    Map<String, Quantity> r = new TreeMap<>();
    r.put("cpu", new Quantity(Integer.toString(cores)));
    r.put("memory", mib(memoryMiB));
    // Kata sizes the TD from the limits; requests equal limits so the scheduler reserves what the TD uses.
    return new ResourceRequirementsBuilder().withRequests(r).withLimits(new TreeMap<>(r)).build();
  }

  private static Quantity mib(long mib) {
    return new Quantity(mib + "Mi");
  }

  /** A Secret created by the operator, referenced by name only; owner-read-only files. */
  private static Volume secretVolume(String name, String secretName) {
    return new VolumeBuilder().withName(name).withNewSecret().withSecretName(secretName).withDefaultMode(0400)
        .endSecret().build();
  }

  private static Volume memoryVolume(String name, long sizeMiB) {
    return new VolumeBuilder().withName(name).withNewEmptyDir().withMedium("Memory").withSizeLimit(mib(sizeMiB))
        .endEmptyDir().build();
  }

  private static VolumeMount mount(String name, String path, boolean readOnly) {
    return new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName(name).withMountPath(path)
        .withReadOnly(readOnly).build();
  }

  private static EnvVar env(String name, String value) {
    return new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName(name).withValue(value).build();
  }
}
