package io.ppml.kbs.server;

import com.nimbusds.jose.jwk.ECKey;
import java.time.Instant;
import java.util.List;

/**
 * What a verified attestation token says about its holder: the measurements the resource policy matches
 * against, the ephemeral key every released key is encrypted to, and the CSR key bound at attestation.
 *
 * @param tokenId the token's {@code jti}, used as the audit subject (never the token itself)
 * @param csrPublicKeySha256 hex SHA-256 of the SubjectPublicKeyInfo the workload may get a certificate for,
 *     or null
 */
record AttestedWorkload(
    String tokenId,
    ECKey teePublicKey,
    String mrTd,
    List<String> rtmrs,
    String mrConfigId,
    boolean simulated,
    boolean debug,
    String tcbStatus,
    String csrPublicKeySha256,
    Instant expires) {

  AttestedWorkload {
    rtmrs = List.copyOf(rtmrs);
  }

  /** The audit subject: token id plus the MRTD prefix, enough to trace without revealing the token. */
  String subject() {
    return "token:" + tokenId + " mrtd:" + mrTd.substring(0, Math.min(16, mrTd.length()));
  }
}
