package io.ppml.kbs.server;

/**
 * Every error the broker returns: a stable code (the JSON {@code error} member) mapped to one HTTP status.
 * Clients and tests match on the code; the {@code detail} text is for people and never holds secrets.
 */
public enum KbsError {
  /** The body is not JSON of the expected shape, or a parameter is out of range. */
  INVALID_REQUEST(400),
  /** The protocol version or TEE type named in {@code /auth} is not supported. */
  UNSUPPORTED_PROTOCOL(400),
  /** A wrapped key did not authenticate under the primary key it names. */
  WRAPPED_KEY_INVALID(400),
  /** The CSR cannot be parsed, is not EC P-256 or its self-signature does not verify. */
  CSR_INVALID(400),
  /** No session cookie, or the session is unknown, expired or already used. */
  SESSION_INVALID(401),
  /** The nonce in runtime-data is not the session's nonce. */
  NONCE_MISMATCH(401),
  /** No bearer token, or a token that is not signed by this broker, expired, or for another audience. */
  TOKEN_INVALID(401),
  /** An admin endpoint was called without a valid admin credential. */
  ADMIN_UNAUTHENTICATED(401),
  /** The quote did not verify (signature, chain, collateral). */
  EVIDENCE_INVALID(403),
  /** The quote verified but the attestation policy rejected it; {@code failed-rules} names the rules. */
  ATTESTATION_DENIED(403),
  /** The resource policy does not allow this workload this operation on this key or resource. */
  ACCESS_DENIED(403),
  /** The primary key exists but is disabled. */
  KEY_DISABLED(403),
  /** The CSR's public key is not the one bound into the attested runtime data. */
  CSR_KEY_NOT_BOUND(403),
  /** The primary key or version does not exist. */
  UNKNOWN_KEY(404),
  /** The named resource does not exist. */
  RESOURCE_NOT_FOUND(404),
  /** No such endpoint. */
  NOT_FOUND(404),
  /** The HTTP method is not allowed on this endpoint. */
  METHOD_NOT_ALLOWED(405),
  /** A primary key with this name already exists. */
  KEY_EXISTS(409),
  /** The request body exceeds the size limit. */
  PAYLOAD_TOO_LARGE(413),
  /** The client exceeded its request rate. */
  RATE_LIMITED(429),
  /** An unexpected server failure; details are in the server log only. */
  INTERNAL(500),
  /** The key store is not open or failed. */
  UNAVAILABLE(503);

  private final int status;

  KbsError(int status) {
    this.status = status;
  }

  /** The HTTP status this error is returned with. */
  public int status() {
    return status;
  }

  /** The code string on the wire. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
