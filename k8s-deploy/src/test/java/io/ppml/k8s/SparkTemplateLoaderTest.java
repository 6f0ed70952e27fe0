package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.deploy.k8s.KubernetesDriverConf;
import org.apache.spark.deploy.k8s.KubernetesUtils;
import org.apache.spark.deploy.k8s.submit.JavaMainAppResource;
import org.apache.spark.deploy.k8s.submit.KubernetesDriverBuilder;
import org.apache.spark.deploy.k8s.SparkPod;
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
      assertEquals(List.of("/run/ppml/keys", "/etc/ppml/kbs-ca"),
          pod.container().getVolumeMounts().stream().map(m -> m.getMountPath()).toList());
    }
  }

  /** Spark's whole driver pod build (every feature step) on our template, with the settings submit passes. */
  @Test
  void sparksDriverBuilderKeepsRuntimeClassKeyVolumeAndAgent(@TempDir Path dir) throws IOException {
    ManifestRenderer renderer = new ManifestRenderer(Fixtures.full());
    renderer.writeTo(dir);
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

  @Test
  void sparkRejectsATemplateThatIsNotAPod(@TempDir Path dir) throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "kind: Pod\nspec: [not, a, pod, spec]\n");
    assertThrows(SparkException.class, () -> KubernetesUtils.loadPodFromTemplate(client, broken.toString(),
        Option.apply(ManifestRenderer.DRIVER_CONTAINER), new SparkConf(false)));
  }
}
