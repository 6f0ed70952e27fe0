package io.ppml.attestation.tdx;

import java.util.Arrays;
import java.util.Optional;

/**
 * The TD report body of a quote (TDX 1.0 body of 584 bytes, or the TDX 1.5 body of 648 bytes which appends
 * TEE_TCB_SVN2 and MRSERVICETD). Offsets are in {@link TdxQuote.Layout}. Every accessor returns a copy.
 */
public final class TdReport {
  private final byte[] raw;
  private final boolean tdx15;

  TdReport(byte[] raw) {
    this.raw = raw;
    this.tdx15 = raw.length == TdxQuote.Layout.BODY_1_5_SIZE;
  }

  private byte[] field(int offset, int size) {
    return Arrays.copyOfRange(raw, offset, offset + size);
  }

  /** The body bytes exactly as in the quote. */
  public byte[] raw() {
    return raw.clone();
  }

  /** True for a TDX 1.5 body (v5 quote with body type 3). */
  public boolean isTdx15() {
    return tdx15;
  }

  public byte[] teeTcbSvn() {
    return field(TdxQuote.Layout.TEE_TCB_SVN, 16);
  }

  public byte[] mrSeam() {
    return field(TdxQuote.Layout.MR_SEAM, 48);
  }

  public byte[] mrSignerSeam() {
    return field(TdxQuote.Layout.MR_SIGNER_SEAM, 48);
  }

  public byte[] seamAttributes() {
    return field(TdxQuote.Layout.SEAM_ATTRIBUTES, 8);
  }

  public byte[] tdAttributes() {
    return field(TdxQuote.Layout.TD_ATTRIBUTES, 8);
  }

  /** TDATTRIBUTES bit 0 (the first byte is the least significant: attributes are little-endian). */
  public boolean debug() {
    return (raw[TdxQuote.Layout.TD_ATTRIBUTES] & 1) != 0;
  }

  public byte[] xfam() {
    return field(TdxQuote.Layout.XFAM, 8);
  }

  public byte[] mrTd() {
    return field(TdxQuote.Layout.MR_TD, 48);
  }

  public byte[] mrConfigId() {
    return field(TdxQuote.Layout.MR_CONFIG_ID, 48);
  }

  public byte[] mrOwner() {
    return field(TdxQuote.Layout.MR_OWNER, 48);
  }

  public byte[] mrOwnerConfig() {
    return field(TdxQuote.Layout.MR_OWNER_CONFIG, 48);
  }

  /** RTMR{@code index}, index 0..3. */
  public byte[] rtmr(int index) {
    if (index < 0 || index > 3) {
      throw new IndexOutOfBoundsException("RTMR index " + index);
    }
    return field(TdxQuote.Layout.RTMR0 + 48 * index, 48);
  }

  public byte[] reportData() {
    return field(TdxQuote.Layout.REPORT_DATA, 64);
  }

  /** TEE_TCB_SVN2 of a TDX 1.5 body; empty for TDX 1.0. */
  public Optional<byte[]> teeTcbSvn2() {
    return tdx15 ? Optional.of(field(TdxQuote.Layout.TEE_TCB_SVN2, 16)) : Optional.empty();
  }

  /** MRSERVICETD of a TDX 1.5 body; empty for TDX 1.0. */
  public Optional<byte[]> mrServiceTd() {
    return tdx15 ? Optional.of(field(TdxQuote.Layout.MR_SERVICE_TD, 48)) : Optional.empty();
  }
}
