package io.ppml.k8s;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Test configurations: the documented defaults, {@code full-config.yaml} (every key set) and a development
 * configuration with simulated TDX.
 */
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

  static DeploymentConfig simulated() throws DeploymentConfigException {
    return DeploymentConfig.parse("namespace: dev\ntee: simulated\nattestedSpark: {simulatedTeeSecret: dev-tee}\n",
        Path.of("."));
  }
}
