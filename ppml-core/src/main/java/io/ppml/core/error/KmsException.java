package io.ppml.core.error;

/** The key store or the key broker failed: unreadable store, unreachable server, server error. */
public class KmsException extends PpmlException {
  private static final long serialVersionUID = 1L;

  public KmsException(ErrorCode code, String message) {
    super(code, message);
  }

  public KmsException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
