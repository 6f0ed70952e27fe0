package io.ppml.attestation.pcs;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.TcbStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Intel PCS TDX TCB info ({@code GET /tdx/certification/v4/tcb}, inner object {@code tcbInfo}, version 3).
 *
 * @param id "TDX" for TDX TCB info
 * @param version 3
 * @param issueDate when Intel issued it
 * @param nextUpdate when it stops being current
 * @param fmspc platform family, lowercase hex (6 bytes)
 * @param pceId lowercase hex (2 bytes)
 * @param tcbType 0
 * @param tcbEvaluationDataNumber Intel's TCB recovery counter
 * @param tdxModule the TDX module signer and attributes (absent in non-TDX TCB info)
 * @param tdxModuleIdentities per TDX module major version ("TDX_01", ...): identity and ISVSVN levels
 * @param tcbLevels platform levels, best first, as Intel orders them
 */
public record TcbInfo(
    String id,
    int version,
    Instant issueDate,
    Instant nextUpdate,
    String fmspc,
    String pceId,
    int tcbType,
    int tcbEvaluationDataNumber,
    Optional<ModuleIdentity> tdxModule,
    List<ModuleIdentity> tdxModuleIdentities,
    List<TcbLevel> tcbLevels) {

  public TcbInfo {
    tdxModuleIdentities = List.copyOf(tdxModuleIdentities);
    tcbLevels = List.copyOf(tcbLevels);
  }

  /**
   * A TDX module identity: {@code tdxModule} (id empty, no levels) or an entry of
   * {@code tdxModuleIdentities}. MRSIGNERSEAM must equal {@code mrSigner}, and SEAMATTRIBUTES masked with
   * {@code attributesMask} must equal {@code attributes}.
   */
  public record ModuleIdentity(
      String id, byte[] mrSigner, byte[] attributes, byte[] attributesMask, List<IsvTcbLevel> tcbLevels) {
    public ModuleIdentity {
      mrSigner = mrSigner.clone();
      attributes = attributes.clone();
      attributesMask = attributesMask.clone();
      tcbLevels = List.copyOf(tcbLevels);
    }

    @Override
    public byte[] mrSigner() {
      return mrSigner.clone();
    }

    @Override
    public byte[] attributes() {
      return attributes.clone();
    }

    @Override
    public byte[] attributesMask() {
      return attributesMask.clone();
    }

    /** True when MRSIGNERSEAM and the masked SEAMATTRIBUTES match this identity. */
    public boolean matches(byte[] mrSignerSeam, byte[] seamAttributes) {
      if (!Arrays.equals(mrSigner, mrSignerSeam) || seamAttributes.length != attributes.length) {
        return false;
      }
      for (int i = 0; i < attributes.length; i++) {
        if ((seamAttributes[i] & attributesMask[i]) != attributes[i]) {
          return false;
        }
      }
      return true;
    }

    static ModuleIdentity of(JsonFields f, String id, boolean withLevels) throws AttestationException {
      return new ModuleIdentity(id, f.hex("mrsigner", 48), f.hex("attributes", 8), f.hex("attributesMask", 8),
          withLevels ? IsvTcbLevel.listOf(f) : List.of());
    }
  }

  /**
   * One platform TCB level.
   *
   * @param sgxComponents the 16 SGX TCB component SVNs (compared with the PCK certificate's)
   * @param pceSvn minimum PCE SVN
   * @param tdxComponents the 16 TDX TCB component SVNs (compared with TEE_TCB_SVN)
   * @param tcbDate Intel's date of the level
   * @param status the level's status
   * @param advisoryIds Intel security advisories that apply (empty if none)
   */
  public record TcbLevel(
      int[] sgxComponents, int pceSvn, int[] tdxComponents, Instant tcbDate, TcbStatus status,
      List<String> advisoryIds) {
    public TcbLevel {
      sgxComponents = sgxComponents.clone();
      tdxComponents = tdxComponents.clone();
      advisoryIds = List.copyOf(advisoryIds);
    }

    @Override
    public int[] sgxComponents() {
      return sgxComponents.clone();
    }

    @Override
    public int[] tdxComponents() {
      return tdxComponents.clone();
    }

    /** SGX component {@code i} (0..15) without copying. */
    public int sgxComponent(int i) {
      return sgxComponents[i];
    }

    /** TDX component {@code i} (0..15) without copying. */
    public int tdxComponent(int i) {
      return tdxComponents[i];
    }
  }

  /** Parses a PCS TCB info response body; failures are {@code COLLATERAL_MALFORMED}. */
  public static PcsResponse<TcbInfo> parseResponse(byte[] body) throws AttestationException {
    return PcsResponse.parse(body, "tcbInfo", TcbInfo::of);
  }

  private static TcbInfo of(JsonFields f) throws AttestationException {
    Optional<ModuleIdentity> module = f.has("tdxModule")
        ? Optional.of(ModuleIdentity.of(f.object("tdxModule"), "", false))
        : Optional.empty();
    List<ModuleIdentity> identities = new ArrayList<>();
    if (f.has("tdxModuleIdentities")) {
      for (JsonFields m : f.objects("tdxModuleIdentities")) {
        identities.add(ModuleIdentity.of(m, m.text("id"), true));
      }
    }
    List<TcbLevel> levels = new ArrayList<>();
    for (JsonFields level : f.objects("tcbLevels")) {
      JsonFields tcb = level.object("tcb");
      levels.add(new TcbLevel(tcb.svns("sgxtcbcomponents"), tcb.integer("pcesvn"), tcb.svns("tdxtcbcomponents"),
          level.instant("tcbDate"), level.status("tcbStatus"), level.strings("advisoryIDs")));
    }
    return new TcbInfo(f.text("id"), f.integer("version"), f.instant("issueDate"), f.instant("nextUpdate"),
        f.hexText("fmspc", 6), f.hexText("pceId", 2),
        f.integer("tcbType"), f.integer("tcbEvaluationDataNumber"), module, identities, levels);
  }
}
