package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rendered file against the Kubernetes API schema ({@link KubernetesApiSchema}). */
class ManifestSchemaTest {

  private static DeploymentConfig config(String which) throws DeploymentConfigException {
    return switch (which) {
      case "defaults" -> DeploymentConfig.defaults();
      case "full" -> Fixtures.full();
      default -> Fixtures.simulated();
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"defaults", "full", "simulated"})
  void everyRenderedFileConformsToTheApiSchema(String which, @TempDir Path out) throws IOException {
    ManifestRenderer renderer = new ManifestRenderer(config(which));
    Map<String, Optional<String>> results = new LinkedHashMap<>();
    for (Path p : renderer.writeTo(out)) {
      results.put(p.getFileName().toString(), KubernetesApiSchema.violation(Files.readString(p)));
    }
    assertEquals(renderer.files().size(), results.size(), "every file was checked");
    for (Map.Entry<String, Optional<String>> r : results.entrySet()) {
      assertEquals(Optional.empty(), r.getValue(), r.getKey());
    }
  }

  /** Changes to a rendered pod template that the API server would refuse: text found, its replacement, field. */
  static Stream<Arguments> refusedChanges() {
    return Stream.of(
        // A misspelt field is unknown to PodSpec (strict field validation).
        Arguments.of("  runtimeClassName: ", "  runtimeClass: ", "runtimeClass"),
        // Unknown inside a nested definition: EmptyDirVolumeSource has no 'mode'.
        Arguments.of("      medium: \"Memory\"\n", "      medium: \"Memory\"\n      mode: 448\n", "mode"),
        // A required field removed: every container needs a name.
        Arguments.of("    name: \"spark-kubernetes-driver\"\n", "", "name"),
        // An object where the schema wants a string.
        Arguments.of("  runtimeClassName: \"kata-qemu-tdx\"", "  runtimeClassName: {name: \"kata-qemu-tdx\"}",
            "runtimeClassName"));
  }

  @ParameterizedTest
  @MethodSource("refusedChanges")
  void aManifestTheApiServerWouldRefuseIsRejectedNamingTheField(String find, String replace, String field)
      throws IOException {
    ManifestRenderer r = new ManifestRenderer(Fixtures.full());
    String pod = r.toYaml(r.driverTemplate());
    assertEquals(Optional.empty(), KubernetesApiSchema.violation(pod), "the unchanged template conforms");
    assertTrue(pod.contains(find), find);
    Optional<String> v = KubernetesApiSchema.violation(pod.replace(find, replace));
    assertTrue(v.isPresent(), "rejected: " + replace);
    assertTrue(v.get().contains("`" + field + "`"), v.get());
  }

  @Test
  void aKindWithoutAnApiDefinitionIsRejected() throws IOException {
    for (String doc : List.of("apiVersion: v1\nkind: Podd\nmetadata: {name: x}\n", "metadata: {name: x}\n")) {
      assertTrue(KubernetesApiSchema.violation(doc).isPresent(), doc);
    }
  }
}
