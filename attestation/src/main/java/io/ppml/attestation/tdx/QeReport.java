package io.ppml.attestation.tdx;

import java.util.Arrays;

/**
 * The quoting enclave's SGX report body (384 bytes) from the quote's certification data. Offsets in
 * {@link TdxQuote.Layout}; multi-byte integers are little-endian. Accessors return copies.
 */
public final class QeReport {
  private final byte[] raw;

  QeReport(byte[] raw) {
    this.raw = raw;
  }

  private byte[] field(int offset, int size) {
    return Arrays.copyOfRange(raw, offset, offset + size);
  }

  private int u16(int offset) {
    return (raw[offset] & 0xff) | (raw[offset + 1] & 0xff) << 8;
  }

  /** The 384 bytes exactly as in the quote (what the QE report signature covers). */
  public byte[] raw() {
    return raw.clone();
  }

  public byte[] cpuSvn() {
    return field(TdxQuote.Layout.QE_CPU_SVN, 16);
  }

  /** MISCSELECT as the 4 bytes in the report (little-endian). */
  public byte[] miscSelect() {
    return field(TdxQuote.Layout.QE_MISC_SELECT, 4);
  }

  public byte[] attributes() {
    return field(TdxQuote.Layout.QE_ATTRIBUTES, 16);
  }

  public byte[] mrEnclave() {
    return field(TdxQuote.Layout.QE_MR_ENCLAVE, 32);
  }

  public byte[] mrSigner() {
    return field(TdxQuote.Layout.QE_MR_SIGNER, 32);
  }

  public int isvProdId() {
    return u16(TdxQuote.Layout.QE_ISV_PROD_ID);
  }

  public int isvSvn() {
    return u16(TdxQuote.Layout.QE_ISV_SVN);
  }

  public byte[] reportData() {
    return field(TdxQuote.Layout.QE_REPORT_DATA, 64);
  }
}
