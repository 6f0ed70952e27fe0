package io.ppml.cli.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ppml.cli.PpmlCommand;
import io.ppml.kbs.server.KbsConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class K8sCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run ppml(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PpmlCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void renderWritesEveryManifestWithTheDefaults(@TempDir Path dir) throws IOException {
    Run r = ppml("k8s", "render", "--out", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(13, r.out().lines().count(), r.out());
    assertTrue(Files.readString(dir.resolve("driver-pod-template.yaml"))
        .contains("runtimeClassName: \"kata-qemu-tdx\""));
  }

  /** The rendered KBS configuration is read by the KBS's own loader, so the two formats cannot drift apart. */
  @Test
  void theRenderedKbsConfigurationLoadsInTheKbs(@TempDir Path dir) throws Exception {
    assertEquals(0, ppml("k8s", "render", "--out", dir.toString()).code());
    ConfigMap cm = new KubernetesSerialization().unmarshal(
        Files.readString(dir.resolve("20-kbs-configmap.yaml")), ConfigMap.class);
    Path file = Files.writeString(dir.resolve("config.yaml"), cm.getData().get("config.yaml"));
    KbsConfig config = KbsConfig.load(file);
    assertEquals(Path.of("/var/lib/ppml-kbs"), config.stateDir());
    assertEquals(Path.of("/etc/ppml-kbs/credentials/ca.pem"), config.caCertificate());
  }

  @Test
  void submitPrintsNulSeparatedArgumentsAndWritesTheTemplates(@TempDir Path dir) {
    Run r = ppml("k8s", "submit", "--print-args", "--templates", dir.toString(), "--",
        "--master", "k8s://https://10.0.0.1:6443", "--class", "C", "local:///app.jar", "arg 1");
    assertEquals(0, r.code(), r.err());
    List<String> args = List.of(r.out().split("\0"));
    assertEquals(List.of("--master", "k8s://https://10.0.0.1:6443", "--deploy-mode", "cluster"), args.subList(0, 4));
    assertEquals(List.of("local:///app.jar", "arg 1"), args.subList(args.size() - 2, args.size()));
    assertTrue(args.contains("spark.kubernetes.driver.podTemplateFile=" + dir.resolve("driver-pod-template.yaml")));
    assertTrue(Files.isRegularFile(dir.resolve("executor-pod-template.yaml")));
  }

  @Test
  void rejectedConfigurationsAndCommandLinesAreUsageErrors(@TempDir Path dir) throws IOException {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "kbs: {port: 0}\n");
    Run r = ppml("k8s", "render", "--config", bad.toString(), "--out", dir.resolve("out").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("configuration: kbs.port"), r.err());
    Run client = ppml("k8s", "submit", "--print-args", "--", "--master", "k8s://https://h:6443",
        "--deploy-mode", "client", "local:///app.jar");
    assertEquals(2, client.code());
    assertTrue(client.err().startsWith("--deploy-mode"), client.err());
  }
}
