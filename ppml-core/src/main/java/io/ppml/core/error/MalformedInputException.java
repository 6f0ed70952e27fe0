package io.ppml.core.error;

/** Input that is not in the expected layout (bad magic, unsupported version, field out of range). */
public class MalformedInputException extends PpmlException {
  private static final long serialVersionUID = 1L;

  public MalformedInputException(String message) {
    super(ErrorCode.MALFORMED_INPUT, message);
  }

  public MalformedInputException(String message, Throwable cause) {
    super(ErrorCode.MALFORMED_INPUT, message, cause);
  }
}
