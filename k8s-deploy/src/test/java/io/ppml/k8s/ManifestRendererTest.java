package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestRendererTest {
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  private static DeploymentConfig config(String which) throws DeploymentConfigException {
    return switch (which) {
      case "defaults" -> DeploymentConfig.defaults();
      case "full" -> Fixtures.full();
      default -> Fixtures.simulated();
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "full", "simulated"})
  void everyFileParsesBackIntoTheSameTypedObject(String which, @TempDir Path out) throws IOException {
    ManifestRenderer renderer = new ManifestRenderer(config(which));
    List<ManifestRenderer.RenderedFile> files = renderer.files();
    List<Path> written = renderer.writeTo(out);
    assertEquals(files.size(), written.size());
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(files.size(), s.count(), "nothing but the rendered files");
    }
    for (int i = 0; i < files.size(); i++) {
      HasMetadata expected = files.get(i).object();
      String yaml = Files.readString(written.get(i));
      // Typed by kind, as kubectl and the client read it, and as the exact class.
      Object generic = serialization.unmarshal(yaml);
      assertInstanceOf(expected.getClass(), generic, files.get(i).name());
      assertEquals(expected, generic, files.get(i).name());
      assertEquals(expected, serialization.unmarshal(yaml, expected.getClass()), files.get(i).name());
    }
  }

  @Test
  void renderingIsDeterministic(@TempDir Path a, @TempDir Path b) throws IOException {
    List<Path> first = new ManifestRenderer(Fixtures.full()).writeTo(a);
    List<Path> second = new ManifestRenderer(Fixtures.full()).writeTo(b);
    for (int i = 0; i < first.size(); i++) {
      assertEquals(first.get(i).getFileName(), second.get(i).getFileName());
      assertEquals(Files.readString(first.get(i)), Files.readString(second.get(i)));
    }
    assertEquals(List.of("00-namespace.yaml", "10-serviceaccount.yaml", "11-role.yaml", "12-rolebinding.yaml",
        "20-kbs-configmap.yaml", "21-kbs-ca-configmap.yaml", "22-kbs-pvc.yaml", "23-kbs-deployment.yaml",
        "24-kbs-service.yaml", "30-networkpolicy-spark.yaml", "31-networkpolicy-driver-api.yaml",
        "32-networkpolicy-kbs.yaml", "driver-pod-template.yaml", "executor-pod-template.yaml"),
        first.stream().map(p -> p.getFileName().toString()).toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "full", "simulated"})
  void noRenderedFileContainsKeyMaterial(String which, @TempDir Path out) throws IOException {
    ManifestRenderer renderer = new ManifestRenderer(config(which));
    for (Path p : renderer.writeTo(out)) {
      assertEquals(List.of(), KeyMaterialScan.findings(Files.readString(p)), p.getFileName().toString());
    }
    for (ManifestRenderer.RenderedFile f : renderer.files()) {
      assertFalse(f.object() instanceof Secret, "no Secret is rendered: " + f.name());
    }
  }

  @Test
  void theScanFindsPlantedKeyMaterial() throws IOException {
    String pod = new ManifestRenderer(Fixtures.full()).toYaml(new ManifestRenderer(Fixtures.full()).driverTemplate());
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    assertFalse(KeyMaterialScan.findings(pod + "\n  x: " + Base64.getEncoder().encodeToString(key)).isEmpty());
    assertFalse(KeyMaterialScan.findings(pod + "\n  x: " + java.util.HexFormat.of().formatHex(key)).isEmpty());
    assertFalse(KeyMaterialScan.findings(pod + "\n  password: hunter2").isEmpty());
    assertFalse(KeyMaterialScan.findings(pod + "\n  privateKey: MHcCAQEEIB").isEmpty());
    assertFalse(KeyMaterialScan.findings(pod + "\n-----BEGIN PRIVATE KEY-----\n").isEmpty());
  }

  @Test
  void sparkPodTemplatesAreConfidentialAndHoldNoSecrets() throws IOException {
    DeploymentConfig cfg = Fixtures.full();
    ManifestRenderer r = new ManifestRenderer(cfg);
    for (Pod pod : List.of(r.driverTemplate(), r.executorTemplate())) {
      PodSpec spec = pod.getSpec();
      assertEquals("kata-qemu-tdx", spec.getRuntimeClassName());
      assertTrue(spec.getSecurityContext().getRunAsNonRoot());
      assertEquals(185L, spec.getSecurityContext().getRunAsUser());
      assertEquals("RuntimeDefault", spec.getSecurityContext().getSeccompProfile().getType());
      assertEquals(1, spec.getContainers().size());
      Container c = spec.getContainers().get(0);
      assertEquals("registry.test/ppml/ppml-spark:1.2.3", c.getImage());
      assertEquals(Boolean.FALSE, c.getSecurityContext().getPrivileged());
      assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
      assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
      Volume keys = spec.getVolumes().stream().filter(v -> v.getName().equals("ppml-keys")).findFirst().orElseThrow();
      assertEquals("Memory", keys.getEmptyDir().getMedium());
      assertEquals(new Quantity("8Mi"), keys.getEmptyDir().getSizeLimit());
      assertEquals("analytics-kbs-ca",
          spec.getVolumes().stream().filter(v -> v.getName().equals("kbs-ca")).findFirst().orElseThrow()
              .getConfigMap().getName());
      assertEquals(Map.of(
          "JAVA_TOOL_OPTIONS", "-javaagent:/opt/ppml/jars/ppml-agent.jar",
          "PPML_KBS_URL", "https://ppml-kbs.analytics.svc:9443",
          "PPML_KBS_CA", "/etc/ppml/kbs-ca/ca.pem",
          "PPML_TEE", "tdx",
          "PPML_KEY_DIR", "/run/ppml/keys",
          "PPML_SPARK_AUTH_SECRET", "spark/secret/authenticate"), env(c));
      for (EnvVar e : c.getEnv()) {
        assertNull(e.getValueFrom(), "no secretKeyRef or other indirection: " + e.getName());
      }
      assertEquals(List.of("ppml-keys", "kbs-ca"), spec.getVolumes().stream().map(Volume::getName).toList(),
          "no simulated platform outside tee: simulated");
      for (var m : c.getVolumeMounts()) {
        // The agent's key directory lies on the only writable volume, a tmpfs.
        assertTrue(m.getMountPath().equals("/run/ppml") || Boolean.TRUE.equals(m.getReadOnly()));
        assertTrue(m.getMountPath().equals("/run/ppml") == m.getName().equals("ppml-keys"));
      }
    }
    Container driver = r.driverTemplate().getSpec().getContainers().get(0);
    assertEquals("spark-kubernetes-driver", driver.getName());
    assertEquals(Map.of("cpu", new Quantity("2"), "memory", new Quantity("4096Mi")),
        driver.getResources().getLimits());
    assertEquals(driver.getResources().getLimits(), driver.getResources().getRequests());
    assertEquals("analytics-spark", r.driverTemplate().getSpec().getServiceAccountName());
    assertTrue(r.driverTemplate().getSpec().getAutomountServiceAccountToken());
    Container executor = r.executorTemplate().getSpec().getContainers().get(0);
    assertEquals("spark-kubernetes-executor", executor.getName());
    assertEquals(Map.of("cpu", new Quantity("4"), "memory", new Quantity("7168Mi")),
        executor.getResources().getLimits());
    assertFalse(r.executorTemplate().getSpec().getAutomountServiceAccountToken());
  }

  @Test
  void simulatedTdxMountsThePlatformSecretAndTheDefaultsLeaveSparkAuthenticateOff() throws IOException {
    ManifestRenderer simulated = new ManifestRenderer(Fixtures.simulated());
    for (Pod pod : List.of(simulated.driverTemplate(), simulated.executorTemplate())) {
      Container c = pod.getSpec().getContainers().get(0);
      assertEquals("simulated", env(c).get("PPML_TEE"));
      assertEquals("/etc/ppml/simulated-tee", env(c).get("PPML_TEE_STATE"));
      Volume platform = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("simulated-tee"))
          .findFirst().orElseThrow();
      assertEquals("dev-tee", platform.getSecret().getSecretName(), "referenced by name only");
      assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("simulated-tee")
          && m.getMountPath().equals("/etc/ppml/simulated-tee") && m.getReadOnly()));
      assertFalse(env(c).containsKey("PPML_SPARK_AUTH_SECRET"));
    }
    Container byDefault = new ManifestRenderer(DeploymentConfig.defaults()).executorTemplate().getSpec()
        .getContainers().get(0);
    assertEquals(List.of("JAVA_TOOL_OPTIONS", "PPML_KBS_URL", "PPML_KBS_CA", "PPML_TEE", "PPML_KEY_DIR"),
        byDefault.getEnv().stream().map(EnvVar::getName).toList());
  }

  @Test
  void initdataPointsTheGuestAtTheKbsAndCarriesTheImagePolicy() throws IOException {
    ManifestRenderer r = new ManifestRenderer(Fixtures.full());
    String encoded = r.driverTemplate().getMetadata().getAnnotations().get(ManifestRenderer.INITDATA_ANNOTATION);
    String toml;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(encoded)))) {
      toml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(toml.contains("url = \"https://ppml-kbs.analytics.svc:9443\""), toml);
    assertTrue(toml.contains("image_security_policy_uri = \"kbs:///default/security-policy/ppml\""), toml);
    assertTrue(toml.contains(Files.readString(Fixtures.resource("ca.pem")).strip()), "the CA is the trust anchor");
    assertEquals(encoded,
        r.executorTemplate().getMetadata().getAnnotations().get(ManifestRenderer.INITDATA_ANNOTATION));
    assertFalse(new ManifestRenderer(DeploymentConfig.defaults()).driverTemplate().getMetadata().getAnnotations()
        .containsKey(ManifestRenderer.INITDATA_ANNOTATION), "initdata is off by default");
  }

  @Test
  void kbsRunsConfidentialWithItsKeysOnlyInTheOperatorsSecret() throws IOException {
    ManifestRenderer r = new ManifestRenderer(Fixtures.full());
    Deployment d = r.kbsDeployment();
    PodSpec spec = d.getSpec().getTemplate().getSpec();
    assertEquals("kata-qemu-tdx", spec.getRuntimeClassName());
    assertEquals("Recreate", d.getSpec().getStrategy().getType());
    assertFalse(spec.getAutomountServiceAccountToken());
    Container kbs = spec.getContainers().get(0);
    assertEquals(List.of("ppml", "kbs", "serve", "--config", "/etc/ppml-kbs/config/config.yaml"), kbs.getCommand());
    assertTrue(kbs.getSecurityContext().getReadOnlyRootFilesystem());
    assertEquals(Map.of("HSM_CLIENT_CONF", "/etc/ppml-kbs/pkcs11/client.conf"), env(kbs));
    assertEquals("analytics-kbs-credentials", spec.getVolumes().stream()
        .filter(v -> v.getName().equals("credentials")).findFirst().orElseThrow().getSecret().getSecretName());
    Map<String, String> data = r.kbsConfigMap().getData();
    assertEquals(List.of("attestation-policy.yaml", "config.yaml", "resource-policy.yaml"),
        new ArrayList<>(data.keySet()));
    assertEquals(Files.readString(Fixtures.resource("attestation-policy.yaml")), data.get("attestation-policy.yaml"));
    String kbsConfig = data.get("config.yaml");
    for (String expected : List.of("port: 9443", "privateKey: /etc/ppml-kbs/credentials/tls-key.pem",
        "stateDir: /var/lib/ppml-kbs", "tokenLifetime: PT2M",
        "attestationPolicy: /etc/ppml-kbs/config/attestation-policy.yaml",
        "resourcePolicy: /etc/ppml-kbs/config/resource-policy.yaml")) {
      assertTrue(kbsConfig.contains(expected), expected);
    }
    DeploymentConfig plain = DeploymentConfig.parse("kbs: {confidential: false}", Path.of("."));
    assertNull(new ManifestRenderer(plain).kbsDeployment().getSpec().getTemplate().getSpec().getRuntimeClassName());
  }

  @Test
  void aPkcs11RootKeyReadsItsPinFromTheOperatorsSecretAndTheFileRootKeyNeedsNothing() throws IOException {
    ManifestRenderer r = new ManifestRenderer(Fixtures.full());
    JsonNode rootKey = new YAMLMapper().readTree(r.kbsConfigMap().getData().get("config.yaml")).get("rootKey");
    assertEquals(new YAMLMapper().readTree("{type: pkcs11, library: /opt/hsm/lib/libhsm-pkcs11.so, "
        + "slotListIndex: 1, pinFile: /etc/ppml-kbs/pkcs11-pin/pin, keyLabel: analytics-root}"), rootKey);
    PodSpec spec = r.kbsDeployment().getSpec().getTemplate().getSpec();
    Container kbs = spec.getContainers().get(0);
    assertTrue(kbs.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("pkcs11-pin")
        && m.getMountPath().equals("/etc/ppml-kbs/pkcs11-pin") && m.getReadOnly()));
    assertTrue(kbs.getVolumeMounts().stream().anyMatch(m -> m.getName().equals("pkcs11-module")
        && m.getMountPath().equals("/etc/ppml-kbs/pkcs11") && m.getReadOnly()));
    Volume pin = spec.getVolumes().stream().filter(v -> v.getName().equals("pkcs11-pin")).findFirst().orElseThrow();
    assertEquals("analytics-kbs-pin", pin.getSecret().getSecretName());
    assertEquals(List.of(), pin.getSecret().getItems(), "the whole Secret, referenced by name; no key or value");
    assertEquals(0400, pin.getSecret().getDefaultMode());

    ManifestRenderer file = new ManifestRenderer(DeploymentConfig.defaults());
    assertEquals(new YAMLMapper().readTree("{type: file}"),
        new YAMLMapper().readTree(file.kbsConfigMap().getData().get("config.yaml")).get("rootKey"));
    PodSpec plain = file.kbsDeployment().getSpec().getTemplate().getSpec();
    assertEquals(List.of("config", "credentials", "state", "tmp"), plain.getVolumes().stream().map(Volume::getName)
        .toList());
    assertEquals(List.of(), plain.getContainers().get(0).getEnv());
  }

  @Test
  void networkPoliciesAllowOnlySparkToSparkSparkToKbsAndDriverToApiServer() throws IOException {
    ManifestRenderer r = new ManifestRenderer(Fixtures.full());
    NetworkPolicy spark = r.sparkNetworkPolicy();
    Map<String, String> sparkPods = Map.of("app.kubernetes.io/part-of", "ppml-spark",
        "app.kubernetes.io/component", "spark");
    Map<String, String> kbsPods = Map.of("app.kubernetes.io/part-of", "ppml-spark",
        "app.kubernetes.io/component", "kbs");
    assertEquals(sparkPods, spark.getSpec().getPodSelector().getMatchLabels());
    assertEquals(List.of("Ingress", "Egress"), spark.getSpec().getPolicyTypes());
    assertEquals(1, spark.getSpec().getIngress().size());
    assertEquals(sparkPods, spark.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels());
    var egress = spark.getSpec().getEgress();
    assertEquals(4, egress.size(), "spark pods, KBS, DNS, the configured data egress");
    assertEquals(sparkPods, egress.get(0).getTo().get(0).getPodSelector().getMatchLabels());
    assertEquals(kbsPods, egress.get(1).getTo().get(0).getPodSelector().getMatchLabels());
    assertEquals(9443, egress.get(1).getPorts().get(0).getPort().getIntVal());
    assertEquals("10.20.0.0/16", egress.get(3).getTo().get(0).getIpBlock().getCidr());
    NetworkPolicy api = r.driverApiNetworkPolicy();
    assertEquals("driver", api.getSpec().getPodSelector().getMatchLabels().get("ppml.io/spark-role"));
    assertEquals("10.0.0.1/32", api.getSpec().getEgress().get(0).getTo().get(0).getIpBlock().getCidr());
    NetworkPolicy kbs = r.kbsNetworkPolicy();
    assertEquals(kbsPods, kbs.getSpec().getPodSelector().getMatchLabels());
    assertEquals(sparkPods, kbs.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels());
    assertEquals(1, kbs.getSpec().getEgress().size(), "DNS only");
    // The templates carry the labels the policies select.
    assertTrue(r.driverTemplate().getMetadata().getLabels().entrySet().containsAll(sparkPods.entrySet()));
    assertTrue(r.executorTemplate().getMetadata().getLabels().entrySet().containsAll(sparkPods.entrySet()));
  }

  private static Map<String, String> env(Container c) {
    Map<String, String> m = new java.util.HashMap<>();
    for (EnvVar e : c.getEnv()) {
      m.put(e.getName(), e.getValue());
    }
    return m;
  }
}
