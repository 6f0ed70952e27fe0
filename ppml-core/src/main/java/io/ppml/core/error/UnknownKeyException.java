package io.ppml.core.error;

/** The named primary key, or the requested version of it, does not exist. */
public class UnknownKeyException extends PpmlException {
  private static final long serialVersionUID = 1L;
  private final String keyName;
  private final int version;

  /** @param version the missing version, or 0 when the key itself is missing */
  public UnknownKeyException(String keyName, int version) {
    super(ErrorCode.UNKNOWN_KEY, version > 0
        ? "unknown key '" + keyName + "' version " + version
        : "unknown key '" + keyName + "'");
    this.keyName = keyName;
    this.version = version;
  }

  public String keyName() {
    return keyName;
  }

  public int version() {
    return version;
  }
}
