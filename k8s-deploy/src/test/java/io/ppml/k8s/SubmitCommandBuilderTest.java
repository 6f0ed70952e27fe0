package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubmitCommandBuilderTest {
  private static final Path TEMPLATES = Path.of("/var/tmp/ppml-templates");

  private static SubmitCommandBuilder builder() throws DeploymentConfigException {
    return new SubmitCommandBuilder(Fixtures.full(), TEMPLATES.resolve(ManifestRenderer.DRIVER_TEMPLATE_FILE),
        TEMPLATES.resolve(ManifestRenderer.EXECUTOR_TEMPLATE_FILE));
  }

  @Test
  void sampleJobMatchesTheGoldenFile() throws IOException {
    List<String> args = builder().build(List.of(
        "--master", "k8s://https://10.0.0.1:6443", "--deploy-mode", "cluster",
        "--name", "etl", "--class", "io.ppml.examples.Etl",
        "--conf", "spark.sql.shuffle.partitions=8", "--executor-memory", "8g",
        "--conf", "spark.plugins=com.example.MetricsPlugin",
        "local:///opt/ppml/jars/ppml-examples.jar", "--input", "s3a://bucket/in", "--output", "s3a://bucket/out"));
    List<String> golden = Files.readAllLines(Fixtures.resource("/golden/submit-args.txt"));
    assertEquals(golden, args);
    for (String a : args) {
      // The agent sets TLS, spark.authenticate and its key store inside each attested JVM; the command line has none.
      assertFalse(a.startsWith("spark.ssl.") || a.startsWith("spark.authenticate") || a.contains("assword")
          || a.contains("extraJavaOptions") || a.contains("Env.PPML_"), a);
    }
  }

  @Test
  void simulatedTdxPointsTheKeyServiceAtTheMountedPlatform() throws IOException {
    List<String> args = new SubmitCommandBuilder(Fixtures.simulated(), Path.of("/t/d.yaml"), Path.of("/t/e.yaml"))
        .build(List.of("--master", "k8s://https://10.0.0.1:6443", "local:///app.jar"));
    assertTrue(args.contains("spark.ppml.tee=simulated"));
    assertTrue(args.contains("spark.ppml.tee.simulated.state=/etc/ppml/simulated-tee"));
    assertFalse(builder().build(List.of("local:///app.jar")).stream()
        .anyMatch(a -> a.startsWith("spark.ppml.tee.simulated.state")), "only for simulated TDX");
  }

  @Test
  void theConfiguredMasterAndClusterModeAreUsedWhenNotGiven() throws IOException {
    List<String> args = builder().build(List.of("--class", "C", "local:///app.jar"));
    assertEquals(List.of("--master", "k8s://https://10.0.0.1:6443", "--deploy-mode", "cluster", "--class", "C"),
        args.subList(0, 6));
    assertEquals("local:///app.jar", args.get(args.size() - 1));
    assertTrue(args.contains("spark.plugins=io.ppml.spark.plugin.PpmlSparkPlugin"));
    assertTrue(args.contains("spark.executor.memory=6144m"), "configured size when the job names none");
  }

  @ParameterizedTest
  @CsvSource({
      "--deploy-mode|client|local:///app.jar, --deploy-mode",
      "--master|spark://h:7077|local:///app.jar, --master",
      "--conf|spark.kubernetes.driver.podTemplateFile=/x.yaml|local:///app.jar, spark.kubernetes.driver.podTemplateFile",
      "--conf|spark.ppml.kbs.url=https://evil:8443|local:///app.jar, spark.ppml.kbs.url",
      "--conf|spark.io.encryption.enabled=false|local:///app.jar, spark.io.encryption.enabled",
      "--conf|spark.kubernetes.driver.secretKeyRef.DB_PASSWORD=db:pw|local:///app.jar, "
          + "spark.kubernetes.driver.secretKeyRef.DB_PASSWORD",
      "--conf|spark.executorEnv.JAVA_TOOL_OPTIONS=-Dx=1|local:///app.jar, spark.executorEnv.JAVA_TOOL_OPTIONS",
      "--conf|spark.executorEnv.PPML_KBS_URL=https://evil:8443|local:///app.jar, spark.executorEnv.PPML_KBS_URL",
      "--conf|spark.kubernetes.driverEnv.PPML_TEE=simulated|local:///app.jar, spark.kubernetes.driverEnv.PPML_TEE",
      "--conf|spark.ssl.rpc.keyStorePassword=changeit|local:///app.jar, spark.ssl.rpc.keyStorePassword",
      "--conf|spark.ssl.rpc.enabled=false|local:///app.jar, spark.ssl.rpc.enabled",
      "--conf|spark.network.crypto.enabled=true|local:///app.jar, spark.network.crypto.enabled",
      "--conf|spark.authenticate=true|local:///app.jar, spark.authenticate",
      "--conf|spark.authenticate.secret=s3cret|local:///app.jar, spark.authenticate.secret",
      "--conf|novalue|local:///app.jar, --conf",
      "--class|C, (application)",
      "--class, --class",
  })
  void unsafeOrIncompleteCommandLinesAreRejectedNamingTheOption(String args, String key) throws IOException {
    DeploymentConfigException e = assertThrows(DeploymentConfigException.class,
        () -> builder().build(List.of(args.split("\\|"))));
    assertEquals(key, e.key());
  }

  @Test
  void withoutAnyMasterTheCommandLineIsRejected() throws IOException {
    SubmitCommandBuilder b = new SubmitCommandBuilder(DeploymentConfig.defaults(), Path.of("/t/d.yaml"),
        Path.of("/t/e.yaml"));
    assertEquals("--master", assertThrows(DeploymentConfigException.class,
        () -> b.build(List.of("local:///app.jar"))).key());
  }
}
