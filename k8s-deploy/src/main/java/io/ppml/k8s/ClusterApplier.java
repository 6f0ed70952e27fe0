package io.ppml.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies rendered objects to a cluster and deletes them. Apply creates an absent object and replaces an
 * existing one with the rendered version (an update guarded by the object's current resourceVersion), so
 * applying twice leaves the same content. Fields the API server assigns are carried over: a Service keeps
 * its cluster IP; a PersistentVolumeClaim, whose spec is immutable once bound, is left as it is. Failures
 * name the object and the API server's status.
 */
public final class ClusterApplier {
  private final KubernetesSerialization serialization = new KubernetesSerialization();
  private final KubernetesClient client;

  public ClusterApplier(KubernetesClient client) {
    this.client = client;
  }

  /** Applies {@code objects} in order; returns one line per object ("created|updated|kept Kind/name …"). */
  public List<String> apply(List<HasMetadata> objects) throws ClusterException {
    List<String> done = new ArrayList<>();
    for (HasMetadata o : objects) {
      try {
        HasMetadata current = client.resource(o).get();
        if (current == null) {
          client.resource(o).create();
          done.add("created " + describe(o));
        } else if (o instanceof PersistentVolumeClaim) {
          done.add("kept " + describe(o) + " (a claim's spec cannot change once bound)");
        } else {
          client.resource(desired(o, current)).update();
          done.add("updated " + describe(o));
        }
      } catch (KubernetesClientException e) {
        throw failure("apply", o, e);
      }
    }
    return done;
  }

  /**
   * Deletes {@code objects} in reverse order and waits until they are gone. Unless {@code includeState}, the
   * KBS state claim (root key, wrapped keys, audit log) and the namespace that holds it are kept: losing
   * them loses every key. Objects already absent are skipped. Returns one line per object deleted.
   */
  public List<String> delete(List<HasMetadata> objects, boolean includeState) throws ClusterException {
    List<String> done = new ArrayList<>();
    for (int i = objects.size() - 1; i >= 0; i--) {
      HasMetadata o = objects.get(i);
      if (!includeState && (o instanceof PersistentVolumeClaim || o instanceof Namespace)) {
        continue;
      }
      try {
        if (!client.resource(o).delete().isEmpty()) {
          done.add("deleted " + describe(o));
        }
      } catch (KubernetesClientException e) {
        throw failure("delete", o, e);
      }
    }
    return done;
  }

  /** The rendered object, with what the server owns copied from the current one. */
  private HasMetadata desired(HasMetadata rendered, HasMetadata current) {
    HasMetadata d = serialization.clone(rendered);
    d.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
    if (d instanceof Service s && current instanceof Service c) {
      s.getSpec().setClusterIP(c.getSpec().getClusterIP());
      s.getSpec().setClusterIPs(c.getSpec().getClusterIPs());
      s.getSpec().setIpFamilies(c.getSpec().getIpFamilies());
      s.getSpec().setIpFamilyPolicy(c.getSpec().getIpFamilyPolicy());
    }
    return d;
  }

  private static ClusterException failure(String what, HasMetadata o, KubernetesClientException e) {
    return new ClusterException(describe(o), e.getCode(),
        "cannot " + what + " " + describe(o) + ": HTTP " + e.getCode() + " " + e.getMessage(), e);
  }

  static String describe(HasMetadata o) {
    String ns = o.getMetadata().getNamespace();
    return o.getKind() + "/" + o.getMetadata().getName() + (ns == null ? "" : " in " + ns);
  }
}
