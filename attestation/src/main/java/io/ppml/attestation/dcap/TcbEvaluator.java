package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import io.ppml.attestation.pcs.EnclaveIdentity;
import io.ppml.attestation.pcs.IsvTcbLevel;
import io.ppml.attestation.pcs.PckExtensions;
import io.ppml.attestation.pcs.TcbInfo;
import io.ppml.attestation.tdx.QeReport;
import io.ppml.attestation.tdx.TdReport;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a verified quote and trusted collateral to Intel's TCB status, following Intel's quote verification
 * library: platform level, TDX module level (TDX module major version > 0), QE identity level, combined.
 */
final class TcbEvaluator {

  /** The outcome: combined status, the advisories of every level that contributed, the platform tcbDate. */
  record Verdict(TcbStatus status, List<String> advisoryIds, Instant tcbDate) {}

  private TcbEvaluator() {}

  static Verdict evaluate(TcbInfo info, EnclaveIdentity qeIdentity, TdReport body, PckExtensions pck,
      QeReport qe) throws AttestationException {
    byte[] teeTcbSvn = body.teeTcbSvn();
    Optional<IsvTcbLevel> module = moduleLevel(info, teeTcbSvn, body.mrSignerSeam(), body.seamAttributes());
    TcbInfo.TcbLevel platform = platformLevel(info, teeTcbSvn, pck);
    IsvTcbLevel qeLevel = qeLevel(qeIdentity, qe);

    Set<String> advisories = new LinkedHashSet<>(platform.advisoryIds());
    TcbStatus status = platform.status();
    if (module.isPresent()) {
      status = combine(status, module.get().status());
      advisories.addAll(module.get().advisoryIds());
    }
    status = combine(status, qeLevel.status());
    advisories.addAll(qeLevel.advisoryIds());
    return new Verdict(status, List.copyOf(advisories), platform.tcbDate());
  }

  /**
   * Checks the TDX module identity and returns the module's own TCB level when TEE_TCB_SVN[1] (the module
   * major version) is non-zero; then the identity {@code TDX_<version as 2 hex digits>} of
   * {@code tdxModuleIdentities} applies and its level is the first whose ISVSVN is at most TEE_TCB_SVN[0].
   * For major version 0 the single {@code tdxModule} identity applies and there is no module level.
   */
  static Optional<IsvTcbLevel> moduleLevel(TcbInfo info, byte[] teeTcbSvn, byte[] mrSignerSeam,
      byte[] seamAttributes) throws AttestationException {
    int major = teeTcbSvn[1] & 0xff;
    if (major == 0) {
      TcbInfo.ModuleIdentity m = info.tdxModule().orElseThrow(() -> new AttestationException(
          Reason.COLLATERAL_MISMATCH, "TCB info has no tdxModule"));
      if (!m.matches(mrSignerSeam, seamAttributes)) {
        throw new AttestationException(Reason.TDX_MODULE_MISMATCH,
            "MRSIGNERSEAM/SEAMATTRIBUTES do not match the TCB info tdxModule");
      }
      return Optional.empty();
    }
    String id = String.format(Locale.ROOT, "TDX_%02X", major);
    TcbInfo.ModuleIdentity m = info.tdxModuleIdentities().stream()
        .filter(i -> i.id().equalsIgnoreCase(id)).findFirst()
        .orElseThrow(() -> new AttestationException(Reason.TDX_MODULE_MISMATCH,
            "TCB info has no TDX module identity " + id));
    if (!m.matches(mrSignerSeam, seamAttributes)) {
      throw new AttestationException(Reason.TDX_MODULE_MISMATCH,
          "MRSIGNERSEAM/SEAMATTRIBUTES do not match TDX module identity " + id);
    }
    int isvSvn = teeTcbSvn[0] & 0xff;
    for (IsvTcbLevel level : m.tcbLevels()) {
      if (isvSvn >= level.isvSvn()) {
        return Optional.of(level);
      }
    }
    throw new AttestationException(Reason.TCB_LEVEL_NOT_FOUND,
        "no TCB level of TDX module identity " + id + " for module SVN " + isvSvn);
  }

  /**
   * The first platform level (Intel lists them best first) whose 16 SGX components and PCESVN are at most the
   * PCK certificate's and whose 16 TDX components are at most TEE_TCB_SVN; TEE_TCB_SVN[0..1] are skipped
   * when the module major version is non-zero, because the module level then rates them.
   */
  static TcbInfo.TcbLevel platformLevel(TcbInfo info, byte[] teeTcbSvn, PckExtensions pck)
      throws AttestationException {
    int tdxStart = (teeTcbSvn[1] & 0xff) == 0 ? 0 : 2;
    for (TcbInfo.TcbLevel level : info.tcbLevels()) {
      if (pck.pceSvn() < level.pceSvn()) {
        continue;
      }
      boolean ok = true;
      for (int i = 0; i < 16 && ok; i++) {
        ok = pck.sgxTcbComponent(i) >= level.sgxComponent(i);
      }
      for (int i = tdxStart; i < 16 && ok; i++) {
        ok = (teeTcbSvn[i] & 0xff) >= level.tdxComponent(i);
      }
      if (ok) {
        return level;
      }
    }
    throw new AttestationException(Reason.TCB_LEVEL_NOT_FOUND,
        "no TCB level of TCB info for FMSPC " + info.fmspc() + " matches the platform");
  }

  /**
   * Checks the QE report against the QE identity (MRSIGNER, ISVPRODID, masked MISCSELECT and ATTRIBUTES,
   * byte by byte in report order) and returns the first level whose ISVSVN is at most the QE's.
   */
  static IsvTcbLevel qeLevel(EnclaveIdentity identity, QeReport qe) throws AttestationException {
    if (!Arrays.equals(identity.mrSigner(), qe.mrSigner())) {
      throw new AttestationException(Reason.QE_IDENTITY_MISMATCH, "QE MRSIGNER differs from the QE identity");
    }
    if (identity.isvProdId() != qe.isvProdId()) {
      throw new AttestationException(Reason.QE_IDENTITY_MISMATCH, "QE ISVPRODID differs from the QE identity");
    }
    if (!maskedEquals(qe.miscSelect(), identity.miscSelectMask(), identity.miscSelect())) {
      throw new AttestationException(Reason.QE_IDENTITY_MISMATCH, "QE MISCSELECT differs from the QE identity");
    }
    if (!maskedEquals(qe.attributes(), identity.attributesMask(), identity.attributes())) {
      throw new AttestationException(Reason.QE_IDENTITY_MISMATCH, "QE ATTRIBUTES differ from the QE identity");
    }
    for (IsvTcbLevel level : identity.tcbLevels()) {
      if (qe.isvSvn() >= level.isvSvn()) {
        return level;
      }
    }
    throw new AttestationException(Reason.TCB_LEVEL_NOT_FOUND,
        "no QE identity TCB level for QE ISVSVN " + qe.isvSvn());
  }

  private static boolean maskedEquals(byte[] value, byte[] mask, byte[] expected) {
    if (value.length != mask.length || value.length != expected.length) {
      return false;
    }
    for (int i = 0; i < value.length; i++) {
      if ((value[i] & mask[i]) != expected[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The worse of two statuses, as Intel's library converges the QE (or module) status into the platform's:
   * Revoked dominates; an out-of-date part with a configuration-needed part gives
   * OutOfDateConfigurationNeeded; otherwise the later (worse) value of {@link TcbStatus}'s order.
   */
  static TcbStatus combine(TcbStatus a, TcbStatus b) {
    if (a == TcbStatus.REVOKED || b == TcbStatus.REVOKED) {
      return TcbStatus.REVOKED;
    }
    if (a == TcbStatus.UNKNOWN || b == TcbStatus.UNKNOWN) {
      return TcbStatus.UNKNOWN;
    }
    boolean outOfDate = isOutOfDate(a) || isOutOfDate(b);
    boolean configuration = needsConfiguration(a) || needsConfiguration(b);
    if (outOfDate && configuration) {
      return TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED;
    }
    return a.ordinal() >= b.ordinal() ? a : b;
  }

  private static boolean isOutOfDate(TcbStatus s) {
    return s == TcbStatus.OUT_OF_DATE || s == TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED;
  }

  private static boolean needsConfiguration(TcbStatus s) {
    return s == TcbStatus.CONFIGURATION_NEEDED || s == TcbStatus.CONFIGURATION_AND_SW_HARDENING_NEEDED
        || s == TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED;
  }
}
