package io.ppml.core.error;

import java.io.IOException;

/**
 * Root of the project's typed errors. It is an {@link IOException} because every operation that raises it
 * reads or writes something (a file, a key store, a key broker), and because streams handed to Hadoop and
 * Spark may only throw {@code IOException}. Messages name the file, key, segment or rule that failed and
 * never contain key bytes, tokens or plaintext.
 */
public class PpmlException extends IOException {
  private static final long serialVersionUID = 1L;
  private final ErrorCode code;

  public PpmlException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public PpmlException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
