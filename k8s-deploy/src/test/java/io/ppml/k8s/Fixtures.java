package io.ppml.k8s;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Test configurations: the documented defaults and {@code full-config.yaml} (every key set). */
final class Fixtures {
  private Fixtures() {}

  static Path resource(String name) {
    try {
      return Path.of(Fixtures.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static DeploymentConfig full() throws DeploymentConfigException {
    return DeploymentConfig.load(resource("full-config.yaml"));
  }
}
