package io.ppml.core.error;

/**
 * Stable error codes. Tests assert these, not message text; the key broker maps each to one HTTP status;
 * the command line prints the message and exits non-zero.
 */
public enum ErrorCode {
  /** A ciphertext, header or signature did not authenticate. */
  INTEGRITY_FAILURE,
  /** A file header or encoded structure is not in the expected layout. */
  MALFORMED_INPUT,
  /** The named primary key (or that version of it) does not exist. */
  UNKNOWN_KEY,
  /** The key exists but this caller may not use it for this operation (policy, disabled key). */
  ACCESS_DENIED,
  /** The key store could not be read or written, or is inconsistent. */
  KEY_STORE_FAILURE,
  /** The key management service could not be reached or answered with an error. */
  KMS_UNAVAILABLE,
  /** Attestation evidence was malformed, did not verify, or was rejected by policy. */
  ATTESTATION_FAILURE,
  /** An argument or configuration value is out of range or missing. */
  INVALID_ARGUMENT,
  /** The key already exists. */
  KEY_EXISTS
}
