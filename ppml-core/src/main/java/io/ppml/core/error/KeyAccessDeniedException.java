package io.ppml.core.error;

/** The caller may not use the key for the operation; names the key, the operation and the rule. */
public class KeyAccessDeniedException extends PpmlException {
  private static final long serialVersionUID = 1L;
  private final String keyName;
  private final String operation;

  public KeyAccessDeniedException(String keyName, String operation, String rule) {
    super(ErrorCode.ACCESS_DENIED,
        "access to key '" + keyName + "' for " + operation + " denied" + (rule == null ? "" : ": " + rule));
    this.keyName = keyName;
    this.operation = operation;
  }

  public String keyName() {
    return keyName;
  }

  public String operation() {
    return operation;
  }
}
