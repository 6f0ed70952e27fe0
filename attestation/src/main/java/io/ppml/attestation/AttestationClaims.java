package io.ppml.attestation;

import java.util.List;

/**
 * What a verified TDX quote says, with no policy applied. Produced only by a verifier after every signature
 * and chain check passed. Measurements are lowercase hex.
 *
 * @param quoteVersion 4 or 5
 * @param simulated true when the chain ends at a simulated (software) root, never at Intel's
 * @param tcbStatus the matched TCB level's status, {@link TcbStatus#UNKNOWN} without collateral
 * @param advisoryIds Intel security advisories of the matched TCB level (empty without collateral)
 * @param debug TDATTRIBUTES bit 0
 * @param rtmrs RTMR0..RTMR3
 * @param reportData the 64 bytes of REPORTDATA
 * @param fmspc from the PCK certificate, hex
 * @param teeTcbSvn2 TEE_TCB_SVN2 of a TDX 1.5 body (v5 quote, body type 3); empty string otherwise
 * @param mrServiceTd MRSERVICETD of a TDX 1.5 body; empty string otherwise
 * @param tcbDate the matched platform TCB level's tcbDate (ISO-8601); empty string without collateral
 */
public record AttestationClaims(
    int quoteVersion,
    boolean simulated,
    TcbStatus tcbStatus,
    List<String> advisoryIds,
    boolean debug,
    String teeTcbSvn,
    String mrSeam,
    String mrSignerSeam,
    String seamAttributes,
    String tdAttributes,
    String xfam,
    String mrTd,
    String mrConfigId,
    String mrOwner,
    String mrOwnerConfig,
    List<String> rtmrs,
    String reportData,
    String fmspc,
    String teeTcbSvn2,
    String mrServiceTd,
    String tcbDate) {

  public AttestationClaims {
    advisoryIds = List.copyOf(advisoryIds);
    rtmrs = List.copyOf(rtmrs);
    if (rtmrs.size() != 4) {
      throw new IllegalArgumentException("expected 4 RTMRs, got " + rtmrs.size());
    }
  }

  /** Claims of a TDX 1.0 quote without TCB date (the TDX 1.5 fields and tcbDate empty). */
  public AttestationClaims(
      int quoteVersion, boolean simulated, TcbStatus tcbStatus, List<String> advisoryIds, boolean debug,
      String teeTcbSvn, String mrSeam, String mrSignerSeam, String seamAttributes, String tdAttributes,
      String xfam, String mrTd, String mrConfigId, String mrOwner, String mrOwnerConfig, List<String> rtmrs,
      String reportData, String fmspc) {
    this(quoteVersion, simulated, tcbStatus, advisoryIds, debug, teeTcbSvn, mrSeam, mrSignerSeam,
        seamAttributes, tdAttributes, xfam, mrTd, mrConfigId, mrOwner, mrOwnerConfig, rtmrs, reportData, fmspc,
        "", "", "");
  }
}
