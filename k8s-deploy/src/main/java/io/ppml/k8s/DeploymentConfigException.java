package io.ppml.k8s;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;

/** A deployment configuration, or a spark-submit command line, that cannot be used; names the offending key. */
public final class DeploymentConfigException extends PpmlException {
  private static final long serialVersionUID = 1L;
  private final String key;

  public DeploymentConfigException(String key, String problem) {
    super(ErrorCode.INVALID_ARGUMENT, key + ": " + problem);
    this.key = key;
  }

  /** The configuration key (dotted path) or spark-submit option that is wrong. */
  public String key() {
    return key;
  }
}
