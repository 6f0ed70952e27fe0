package io.ppml.k8s;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;

/** The cluster refused or failed an operation on one object. */
public final class ClusterException extends PpmlException {
  private static final long serialVersionUID = 1L;
  private final String object;
  private final int httpCode;

  ClusterException(String object, int httpCode, String message, Throwable cause) {
    super(ErrorCode.INVALID_ARGUMENT, message, cause);
    this.object = object;
    this.httpCode = httpCode;
  }

  /** The object, as {@code Kind/name in namespace}. */
  public String object() {
    return object;
  }

  /** The API server's HTTP status, or 0 when it was not reached. */
  public int httpCode() {
    return httpCode;
  }
}
