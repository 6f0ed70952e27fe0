package io.ppml.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against fabric8's mock API server in CRUD mode: it stores what it is sent and serves it back. */
class ClusterApplierTest {
  private KubernetesMockServer server;
  private KubernetesClient client;
  private DeploymentConfig config;
  private List<HasMetadata> objects;

  @BeforeEach
  void start() throws IOException {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init();
    client = server.createClient();
    config = Fixtures.full();
    objects = new ManifestRenderer(config).clusterObjects();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void applyCreatesEveryObjectWithExactlyTheRenderedFields() throws IOException {
    List<String> applied = new ClusterApplier(client).apply(objects);
    assertEquals(objects.size(), applied.size());
    for (HasMetadata o : objects) {
      HasMetadata stored = client.resource(o).get();
      assertNotNull(stored, ClusterApplier.describe(o));
      assertSameContent(o, stored);
    }
    Deployment kbs = client.apps().deployments().inNamespace("analytics").withName("ppml-kbs").get();
    var spec = kbs.getSpec().getTemplate().getSpec();
    assertEquals("kata-qemu-tdx", spec.getRuntimeClassName());
    assertTrue(spec.getSecurityContext().getRunAsNonRoot());
    assertEquals(10001L, spec.getSecurityContext().getRunAsUser());
    var container = spec.getContainers().get(0);
    assertEquals(Boolean.FALSE, container.getSecurityContext().getPrivileged());
    assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(List.of(new EnvVar("HSM_CLIENT_CONF", "/etc/ppml-kbs/pkcs11/client.conf", null)),
        container.getEnv(), "only the path of the HSM client's configuration; no value taken from a Secret");
    assertEquals(List.of("config", "credentials", "state", "tmp", "pkcs11-pin", "pkcs11-module"),
        spec.getVolumes().stream().map(v -> v.getName()).toList());
    assertEquals("analytics-kbs-credentials", spec.getVolumes().get(1).getSecret().getSecretName());
    assertEquals("ppml-kbs-state", spec.getVolumes().get(2).getPersistentVolumeClaim().getClaimName());
    assertEquals("Memory", spec.getVolumes().get(3).getEmptyDir().getMedium());
    assertEquals("analytics-kbs-pin", spec.getVolumes().get(4).getSecret().getSecretName(), "the PIN by name");
    assertEquals("analytics-hsm-client", spec.getVolumes().get(5).getSecret().getSecretName());
    assertEquals(0, client.secrets().inNamespace("analytics").list().getItems().size(), "no Secret is created");
  }

  @Test
  void reapplyIsIdempotentAndUpdatesChangedFields() throws IOException {
    ClusterApplier applier = new ClusterApplier(client);
    applier.apply(objects);
    applier.apply(objects);
    assertEquals(1, client.namespaces().list().getItems().size());
    assertEquals(1, client.apps().deployments().inNamespace("analytics").list().getItems().size());
    assertEquals(objects.stream().filter(o -> o instanceof ConfigMap).count(),
        client.configMaps().inNamespace("analytics").list().getItems().size());
    assertEquals(3, client.network().v1().networkPolicies().inNamespace("analytics").list().getItems().size());
    for (HasMetadata o : objects) {
      assertSameContent(o, client.resource(o).get());
    }

    String changed = "namespace: analytics\nserviceAccount: analytics-spark\nkbs: {port: 9443, memory: 2g, "
        + "credentialsSecret: analytics-kbs-credentials, caConfigMap: analytics-kbs-ca}\n";
    List<HasMetadata> updated = new ManifestRenderer(DeploymentConfig.parse(changed, Path.of("."))).clusterObjects();
    applier.apply(updated);
    Deployment kbs = client.apps().deployments().inNamespace("analytics").withName("ppml-kbs").get();
    assertEquals("2048Mi", kbs.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits()
        .get("memory").toString());
    assertEquals(1, client.apps().deployments().inNamespace("analytics").list().getItems().size());
  }

  @Test
  void reapplyKeepsWhatTheServerAssigned() throws IOException {
    ClusterApplier applier = new ClusterApplier(client);
    applier.apply(objects);
    // What a real API server does on create: assign the Service its cluster IP.
    client.services().inNamespace("analytics").withName("ppml-kbs")
        .edit(s -> { s.getSpec().setClusterIP("10.96.0.42"); s.getSpec().setClusterIPs(List.of("10.96.0.42")); return s; });
    applier.apply(objects);
    Service kbs = client.services().inNamespace("analytics").withName("ppml-kbs").get();
    assertEquals("10.96.0.42", kbs.getSpec().getClusterIP());
    assertEquals(9443, kbs.getSpec().getPorts().get(0).getPort());
  }

  @Test
  void deleteKeepsTheKbsStateUnlessAskedAndIsRepeatable() throws IOException {
    ClusterApplier applier = new ClusterApplier(client);
    applier.apply(objects);
    List<String> deleted = applier.delete(objects, false);
    assertEquals(objects.size() - 2, deleted.size());
    for (HasMetadata o : objects) {
      HasMetadata left = client.resource(o).get();
      if (o instanceof PersistentVolumeClaim || o instanceof Namespace) {
        assertNotNull(left, "kept: " + ClusterApplier.describe(o));
      } else {
        assertNull(left, "deleted: " + ClusterApplier.describe(o));
      }
    }
    assertEquals(2, applier.delete(objects, true).size());
    for (HasMetadata o : objects) {
      assertNull(client.resource(o).get(), ClusterApplier.describe(o));
    }
    assertEquals(List.of(), applier.delete(objects, true), "deleting what is gone is not an error");
  }

  @Test
  void aRefusedObjectIsNamedWithTheServersStatus() throws IOException {
    KubernetesMockServer refusing = new KubernetesMockServer(false);
    refusing.init();
    refusing.expect().post().withPath("/api/v1/namespaces")
        .andReturn(403, "{\"kind\":\"Status\",\"code\":403,\"message\":\"forbidden\"}").always();
    try (KubernetesClient c = refusing.createClient()) {
      ClusterException e = assertThrows(ClusterException.class, () -> new ClusterApplier(c).apply(objects));
      assertEquals("Namespace/analytics", e.object());
      assertEquals(403, e.httpCode());
    } finally {
      refusing.destroy();
    }
  }

  /** Everything but server-managed metadata (resourceVersion, uid, timestamps, managedFields). */
  private static void assertSameContent(HasMetadata expected, HasMetadata actual) {
    String what = ClusterApplier.describe(expected);
    assertEquals(expected.getClass(), actual.getClass(), what);
    assertEquals(expected.getMetadata().getName(), actual.getMetadata().getName(), what);
    assertEquals(expected.getMetadata().getNamespace(), actual.getMetadata().getNamespace(), what);
    assertEquals(expected.getMetadata().getLabels(), actual.getMetadata().getLabels(), what);
    Object e = content(expected);
    Object a = content(actual);
    assertEquals(e, a, what);
  }

  private static Object content(HasMetadata o) {
    if (o instanceof Deployment d) {
      return d.getSpec();
    } else if (o instanceof ConfigMap c) {
      return c.getData();
    } else if (o instanceof Service s) {
      return s.getSpec();
    } else if (o instanceof PersistentVolumeClaim p) {
      return p.getSpec();
    } else if (o instanceof NetworkPolicy n) {
      return n.getSpec();
    } else if (o instanceof Role r) {
      return r.getRules();
    } else if (o instanceof RoleBinding b) {
      return List.of(b.getRoleRef(), b.getSubjects());
    } else if (o instanceof ServiceAccount || o instanceof Namespace) {
      return o.getKind();
    }
    throw new AssertionError("unexpected kind " + o.getKind());
  }
}
