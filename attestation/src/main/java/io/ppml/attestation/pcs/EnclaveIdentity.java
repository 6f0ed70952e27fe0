package io.ppml.attestation.pcs;

import io.ppml.attestation.AttestationException;
import java.time.Instant;
import java.util.List;

/**
 * Intel PCS quoting enclave identity ({@code GET /tdx/certification/v4/qe/identity}, inner object
 * {@code enclaveIdentity}, id "TD_QE", version 2). Byte fields hold the hex bytes in the order PCS prints
 * them; they are compared byte by byte with the QE report fields in report order.
 *
 * @param id "TD_QE" for the TDX quoting enclave
 * @param version 2
 * @param issueDate when Intel issued it
 * @param nextUpdate when it stops being current
 * @param tcbEvaluationDataNumber Intel's TCB recovery counter
 * @param miscSelect expected MISCSELECT after masking (4 bytes)
 * @param miscSelectMask mask for MISCSELECT
 * @param attributes expected ATTRIBUTES after masking (16 bytes)
 * @param attributesMask mask for ATTRIBUTES
 * @param mrSigner expected MRSIGNER (32 bytes)
 * @param isvProdId expected ISVPRODID
 * @param tcbLevels ISVSVN levels, best first
 */
public record EnclaveIdentity(
    String id,
    int version,
    Instant issueDate,
    Instant nextUpdate,
    int tcbEvaluationDataNumber,
    byte[] miscSelect,
    byte[] miscSelectMask,
    byte[] attributes,
    byte[] attributesMask,
    byte[] mrSigner,
    int isvProdId,
    List<IsvTcbLevel> tcbLevels) {

  public EnclaveIdentity {
    miscSelect = miscSelect.clone();
    miscSelectMask = miscSelectMask.clone();
    attributes = attributes.clone();
    attributesMask = attributesMask.clone();
    mrSigner = mrSigner.clone();
    tcbLevels = List.copyOf(tcbLevels);
  }

  @Override
  public byte[] miscSelect() {
    return miscSelect.clone();
  }

  @Override
  public byte[] miscSelectMask() {
    return miscSelectMask.clone();
  }

  @Override
  public byte[] attributes() {
    return attributes.clone();
  }

  @Override
  public byte[] attributesMask() {
    return attributesMask.clone();
  }

  @Override
  public byte[] mrSigner() {
    return mrSigner.clone();
  }

  /** Parses a PCS QE identity response body; failures are {@code COLLATERAL_MALFORMED}. */
  public static PcsResponse<EnclaveIdentity> parseResponse(byte[] body) throws AttestationException {
    return PcsResponse.parse(body, "enclaveIdentity", EnclaveIdentity::of);
  }

  private static EnclaveIdentity of(JsonFields f) throws AttestationException {
    return new EnclaveIdentity(f.text("id"), f.integer("version"), f.instant("issueDate"),
        f.instant("nextUpdate"), f.integer("tcbEvaluationDataNumber"), f.hex("miscselect", 4),
        f.hex("miscselectMask", 4), f.hex("attributes", 16), f.hex("attributesMask", 16),
        f.hex("mrsigner", 32), f.integer("isvprodid"), IsvTcbLevel.listOf(f));
  }
}
