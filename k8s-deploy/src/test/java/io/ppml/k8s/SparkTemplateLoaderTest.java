package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.deploy.k8s.KubernetesDriverConf;
import org.apache.spark.deploy.k8s.KubernetesExecutorConf;
import org.apache.spark.deploy.k8s.KubernetesUtils;
import org.apache.spark.deploy.k8s.submit.JavaMainAppResource;
import org.apache.spark.deploy.k8s.submit.KubernetesDriverBuilder;
import org.apache.spark.deploy.k8s.SparkPod;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfile$;
import org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/** The rendered templates go through Spark's own loader, as spark-submit and the driver use it. */
class SparkTemplateLoaderTest {
  private static KubernetesMockServer server;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void sparkLoadsBothTemplatesAndKeepsTheConfidentialSettings(@TempDir Path dir) throws IOException {
    ManifestRenderer renderer = new ManifestRenderer(Fixtures.full());
    renderer.writeTo(dir);
    for (String[] t : List.of(
        new String[] {ManifestRenderer.DRIVER_TEMPLATE_FILE, ManifestRenderer.DRIVER_CONTAINER},
        new String[] {ManifestRenderer.EXECUTOR_TEMPLATE_FILE, ManifestRenderer.EXECUTOR_CONTAINER})) {
      SparkPod pod = KubernetesUtils.loadPodFromTemplate(client, dir.resolve(t[0]).toString(), Option.apply(t[1]),
          new SparkConf(false));
      assertEquals(t[1], pod.container().getName(), "Spark selected our container");
      assertEquals("kata-qemu-tdx", pod.pod().getSpec().getRuntimeClassName());
      assertEquals(Boolean.TRUE, pod.pod().getSpec().getSecurityContext().getRunAsNonRoot());
      assertEquals(Boolean.FALSE, pod.container().getSecurityContext().getPrivileged());
      assertEquals("Memory", pod.pod().getSpec().getVolumes().get(0).getEmptyDir().getMedium());
      assertEquals("-javaagent:/opt/ppml/jars/ppml-agent.jar", pod.container().getEnv().get(0).getValue());
      assertEquals(List.of("/run/ppml", "/etc/ppml/kbs-ca"),
          pod.container().getVolumeMounts().stream().map(m -> m.getMountPath()).toList());
    }
  }

  /** Spark's whole driver pod build (every feature step) on our template, with the settings submit passes. */
  @Test
  void sparksDriverBuilderKeepsRuntimeClassKeyVolumeAndAgent(@TempDir Path dir) throws IOException {
    SparkConf conf = submittedConf(dir);
    KubernetesDriverConf driverConf = new KubernetesDriverConf(conf, "spark-app-1",
        new JavaMainAppResource(Option.apply("local:///opt/app.jar")), "C", new String[0], Option.<String>empty(), new org.apache.spark.util.SystemClock());
    SparkPod built = new KubernetesDriverBuilder().buildFromFeatures(driverConf, client).pod();
    assertEquals("kata-qemu-tdx", built.pod().getSpec().getRuntimeClassName());
    assertEquals("analytics-spark", built.pod().getSpec().getServiceAccountName());
    assertEquals("driver", built.pod().getMetadata().getLabels().get("ppml.io/spark-role"));
    assertEquals("spark", built.pod().getMetadata().getLabels().get("app.kubernetes.io/component"));
    assertEquals("Memory", built.pod().getSpec().getVolumes().stream().filter(v -> v.getName().equals("ppml-keys"))
        .findFirst().orElseThrow().getEmptyDir().getMedium());
    assertEquals(Boolean.FALSE, built.container().getSecurityContext().getPrivileged());
    assertEquals("-javaagent:/opt/ppml/jars/ppml-agent.jar", built.container().getEnv().stream()
        .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS")).findFirst().orElseThrow().getValue());
    assertEquals("2", built.container().getResources().getLimits().get("cpu").toString());
  }

  /**
   * With a spark.authenticate resource configured, the agent turns spark.authenticate on in the driver JVM and
   * names the secret by files. Spark's executor pod build on our template then puts the secret nowhere in the
   * pod; with spark.authenticate on and no files, Spark would pass a secret in an environment variable.
   */
  @Test
  void sparksExecutorBuilderPutsNoAuthSecretIntoTheExecutorPod(@TempDir Path dir) throws IOException {
    String secret = "test-only-spark-authenticate-secret";
    Path driverSecret = Files.writeString(dir.resolve("spark-auth-secret"), secret);
    SparkConf agentSettings = submittedConf(dir).set("spark.authenticate", "true")
        .set("spark.authenticate.secret.driver.file", driverSecret.toString())
        .set("spark.authenticate.secret.executor.file", ManifestRenderer.KEY_DIR + "/spark-auth-secret");
    SparkPod executor = executorPod(agentSettings);
    Container c = executor.container();
    assertEquals("kata-qemu-tdx", executor.pod().getSpec().getRuntimeClassName());
    assertEquals("spark/secret/authenticate", envValue(c, "PPML_SPARK_AUTH_SECRET"));
    assertEquals("-javaagent:/opt/ppml/jars/ppml-agent.jar", envValue(c, "JAVA_TOOL_OPTIONS"));
    KubernetesSerialization yaml = new KubernetesSerialization();
    assertFalse(yaml.asYaml(executor.pod()).contains(secret) || yaml.asYaml(c).contains(secret),
        "no secret in the pod");

    SparkConf withoutFiles = agentSettings.clone().remove("spark.authenticate.secret.driver.file")
        .remove("spark.authenticate.secret.executor.file");
    assertNotNull(envValue(executorPod(withoutFiles).container(), "_SPARK_AUTH_SECRET"),
        "the case the agent's files avoid: Spark's own secret in the executor pod spec");
  }

  /** The Spark configuration spark-submit passes for a sample job, templates written to {@code dir}. */
  private static SparkConf submittedConf(Path dir) throws IOException {
    new ManifestRenderer(Fixtures.full()).writeTo(dir);
    SubmitCommandBuilder submit = new SubmitCommandBuilder(Fixtures.full(),
        dir.resolve(ManifestRenderer.DRIVER_TEMPLATE_FILE), dir.resolve(ManifestRenderer.EXECUTOR_TEMPLATE_FILE));
    List<String> args = submit.build(List.of("--class", "C", "local:///opt/app.jar"));
    SparkConf conf = new SparkConf(false).set("spark.app.name", "etl").set("spark.master", args.get(1));
    for (int i = 0; i < args.size() - 1; i++) {
      if (args.get(i).equals("--conf")) {
        String kv = args.get(i + 1);
        conf.set(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
      }
    }
    return conf;
  }

  /** Spark's whole executor pod build (every feature step), as the driver runs it, with the driver's secret. */
  private static SparkPod executorPod(SparkConf conf) {
    SecurityManager security = new SecurityManager(conf, Option.empty(),
        org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE_DRIVER());
    security.initializeAuth();
    KubernetesExecutorConf executorConf = new KubernetesExecutorConf(conf, "spark-app-1", "1",
        Option.<Pod>empty(), ResourceProfile.DEFAULT_RESOURCE_PROFILE_ID());
    // Spark keeps the default profile in a JVM-wide field; cleared so each call sees its own configuration.
    try {
      return new KubernetesExecutorBuilder().buildFromFeatures(executorConf, security, client,
          ResourceProfile$.MODULE$.getOrCreateDefaultProfile(conf)).pod();
    } finally {
      ResourceProfile$.MODULE$.clearDefaultProfile();
    }
  }

  private static String envValue(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
        .orElse(null);
  }

  @Test
  void sparkRejectsATemplateThatIsNotAPod(@TempDir Path dir) throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "kind: Pod\nspec: [not, a, pod, spec]\n");
    assertThrows(SparkException.class, () -> KubernetesUtils.loadPodFromTemplate(client, broken.toString(),
        Option.apply(ManifestRenderer.DRIVER_CONTAINER), new SparkConf(false)));
  }
}
