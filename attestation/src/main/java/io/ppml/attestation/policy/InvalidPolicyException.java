package io.ppml.attestation.policy;

import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.PpmlException;

/**
 * A policy file that cannot be used: not YAML/JSON, an unknown or duplicate key, a value of the wrong type,
 * a measurement that is not 48 bytes of hex. Names the file and the key so the author can fix it; a policy
 * that does not load never falls back to anything more permissive.
 */
public final class InvalidPolicyException extends PpmlException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final String key;

  InvalidPolicyException(String source, String key, String problem) {
    this(source, key, problem, null);
  }

  InvalidPolicyException(String source, String key, String problem, Throwable cause) {
    super(ErrorCode.INVALID_ARGUMENT,
        "attestation policy " + source + (key == null ? "" : ": key '" + key + "'") + ": " + problem, cause);
    this.source = source;
    this.key = key;
  }

  /** The file (or other source name) the policy came from. */
  public String source() {
    return source;
  }

  /** The offending key as written in the file, or null when the whole document is unreadable. */
  public String key() {
    return key;
  }
}
