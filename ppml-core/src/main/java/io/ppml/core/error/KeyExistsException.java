package io.ppml.core.error;

/** A key with that name already exists. */
public class KeyExistsException extends PpmlException {
  private static final long serialVersionUID = 1L;

  public KeyExistsException(String keyName) {
    super(ErrorCode.KEY_EXISTS, "key '" + keyName + "' already exists");
  }
}
