package io.ppml.attestation.kbs;

/**
 * Names shared by the key broker and its client: paths, headers, cookie, token audiences, JSON members.
 * The wire protocol is specified in {@code docs/protocol.md}.
 */
public final class KbsProtocol {
  public static final String VERSION = "0.4.0";
  public static final String PREFIX = "/kbs/v0";
  public static final String AUTH = PREFIX + "/auth";
  public static final String ATTEST = PREFIX + "/attest";
  public static final String KEYS = PREFIX + "/keys";
  /** {@code POST KEYS/{name}/generate}: a new data key under the newest version of {name}. */
  public static final String GENERATE = "generate";
  /** {@code POST KEYS/{name}/wrap}: wraps caller-supplied key bytes under {name}. */
  public static final String WRAP = "wrap";
  /** {@code POST KEYS/{name}/derive}: a key derived from a version of {name} for a purpose. */
  public static final String DERIVE = "derive";
  /** {@code POST KEYS/unwrap} and {@code POST KEYS/rewrap}: the wrapped key names its primary key. */
  public static final String UNWRAP = "unwrap";
  public static final String REWRAP = "rewrap";
  public static final String RESOURCE = PREFIX + "/resource";
  public static final String CERTIFICATE = PREFIX + "/certificate";
  public static final String ADMIN = PREFIX + "/admin";

  public static final String SESSION_COOKIE = "kbs-session-id";
  /** Audience of the attestation tokens the broker issues to workloads. */
  public static final String WORKLOAD_AUDIENCE = "ppml-kbs-workload";
  /** Audience an admin token must name; workload tokens never carry it. */
  public static final String ADMIN_AUDIENCE = "ppml-kbs-admin";
  /** Claim of the attestation token that holds the workload's ephemeral public JWK. */
  public static final String TEE_PUBKEY_CLAIM = "tee-pubkey";

  private KbsProtocol() {}
}
