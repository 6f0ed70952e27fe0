package io.ppml.attestation.tdx;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An Intel TDX quote (version 4 or 5, ECDSA P-256 attestation key), parsed byte-exactly and without any
 * trust decision: nothing here says the quote is genuine; {@code io.ppml.attestation.dcap} decides that.
 *
 * <p>Layout (all integers little-endian):
 * <pre>
 * header (48)   version u16 (4|5) | attestation key type u16 (2 = ECDSA-256-with-P-256)
 *               | TEE type u32 (0x81 = TDX) | reserved 4 | QE vendor id 16 | user data 20
 * v4:           TD report body (584)
 * v5:           body type u16 (2 = TDX 1.0, 584 bytes; 3 = TDX 1.5, 648 bytes) | body size u32 | body
 * signature data length u32, then within exactly that many bytes:
 *               quote signature r||s (64) | attestation public key x||y (64)
 *               | certification data type u16 (6) | size u32
 *               | QE report (384) | QE report signature r||s (64) | QE auth data size u16 | QE auth data
 *               | certification data type u16 (5 = PCK chain) | size u32 | PEM chain (leaf, CA, root)
 * </pre>
 * Bytes after the signature data are ignored ({@link #length()} is the length actually used). The quote
 * signature covers {@link #signedBytes()}: header || body for v4, header || type || size || body for v5.
 *
 * <p>Every length is checked against the bytes that remain before anything is copied, so hostile input
 * yields {@link AttestationException} with {@link Reason#MALFORMED_QUOTE} (or {@link
 * Reason#UNSUPPORTED_QUOTE} for a well-formed quote of a kind not handled), never an unchecked exception or
 * an allocation larger than the input.
 */
public final class TdxQuote {

  /** Byte offsets and sizes of the quote layout, for code that writes quotes (e.g. a simulated TEE). */
  public static final class Layout {
    public static final int HEADER_SIZE = 48;
    public static final int HEADER_VERSION = 0;
    public static final int HEADER_ATT_KEY_TYPE = 2;
    public static final int HEADER_TEE_TYPE = 4;
    public static final int HEADER_RESERVED = 8;
    public static final int HEADER_QE_VENDOR_ID = 12;
    public static final int HEADER_USER_DATA = 28;

    /** v5 only: body type u16 and body size u32 between header and body. */
    public static final int V5_BODY_DESCRIPTOR_SIZE = 6;

    public static final int BODY_1_0_SIZE = 584;
    public static final int BODY_1_5_SIZE = 648;
    /** Offsets inside the TD report body. */
    public static final int TEE_TCB_SVN = 0;
    public static final int MR_SEAM = 16;
    public static final int MR_SIGNER_SEAM = 64;
    public static final int SEAM_ATTRIBUTES = 112;
    public static final int TD_ATTRIBUTES = 120;
    public static final int XFAM = 128;
    public static final int MR_TD = 136;
    public static final int MR_CONFIG_ID = 184;
    public static final int MR_OWNER = 232;
    public static final int MR_OWNER_CONFIG = 280;
    public static final int RTMR0 = 328;
    public static final int REPORT_DATA = 520;
    /** TDX 1.5 body only. */
    public static final int TEE_TCB_SVN2 = 584;
    public static final int MR_SERVICE_TD = 600;

    /** In a v4 quote: where the signature data length u32 sits; the signature data follows it. */
    public static final int V4_SIGNATURE_DATA_LENGTH = HEADER_SIZE + BODY_1_0_SIZE;
    /** Offsets inside the signature data (after its length field). */
    public static final int SIG_QUOTE_SIGNATURE = 0;
    public static final int SIG_ATTESTATION_KEY = 64;
    public static final int SIG_CERT_DATA_TYPE = 128;
    public static final int SIG_CERT_DATA_SIZE = 130;
    public static final int SIG_QE_REPORT = 134;
    public static final int SIG_QE_REPORT_SIGNATURE = SIG_QE_REPORT + 384;
    public static final int SIG_QE_AUTH_DATA_SIZE = SIG_QE_REPORT_SIGNATURE + 64;
    public static final int SIG_QE_AUTH_DATA = SIG_QE_AUTH_DATA_SIZE + 2;

    public static final int QE_REPORT_SIZE = 384;
    /** Offsets inside the QE (SGX) report body. */
    public static final int QE_CPU_SVN = 0;
    public static final int QE_MISC_SELECT = 16;
    public static final int QE_ATTRIBUTES = 48;
    public static final int QE_MR_ENCLAVE = 64;
    public static final int QE_MR_SIGNER = 128;
    public static final int QE_ISV_PROD_ID = 256;
    public static final int QE_ISV_SVN = 258;
    public static final int QE_REPORT_DATA = 320;

    public static final int ATT_KEY_TYPE_ECDSA_P256 = 2;
    public static final int TEE_TYPE_TDX = 0x81;
    public static final int BODY_TYPE_TDX_1_0 = 2;
    public static final int BODY_TYPE_TDX_1_5 = 3;
    public static final int CERT_DATA_QE_REPORT = 6;
    public static final int CERT_DATA_PCK_CHAIN = 5;

    private Layout() {}
  }

  private final int version;
  private final int attestationKeyType;
  private final int teeType;
  private final byte[] header;
  private final int bodyType;
  private final TdReport body;
  private final byte[] signedBytes;
  private final byte[] signature;
  private final byte[] attestationKey;
  private final QeReport qeReport;
  private final byte[] qeReportSignature;
  private final byte[] qeAuthData;
  private final int certificationDataType;
  private final byte[] pckCertChain;
  private final int length;

  private TdxQuote(byte[] q) throws AttestationException {
    ByteCursor in = new ByteCursor(q, 0, q.length);
    header = in.take(Layout.HEADER_SIZE, "header");
    ByteCursor h = new ByteCursor(header, 0, header.length);
    version = h.u16("version");
    attestationKeyType = h.u16("attestation key type");
    teeType = (int) h.u32("TEE type");
    if (version != 4 && version != 5) {
      throw new AttestationException(Reason.UNSUPPORTED_QUOTE, "quote version " + version);
    }
    if (attestationKeyType != Layout.ATT_KEY_TYPE_ECDSA_P256) {
      throw new AttestationException(Reason.UNSUPPORTED_QUOTE, "attestation key type " + attestationKeyType);
    }
    if (teeType != Layout.TEE_TYPE_TDX) {
      throw new AttestationException(Reason.UNSUPPORTED_QUOTE, "TEE type 0x" + Integer.toHexString(teeType));
    }
    int bodySize;
    if (version == 4) {
      bodyType = Layout.BODY_TYPE_TDX_1_0;
      bodySize = Layout.BODY_1_0_SIZE;
    } else {
      bodyType = in.u16("body type");
      long size = in.u32("body size");
      int expected = switch (bodyType) {
        case Layout.BODY_TYPE_TDX_1_0 -> Layout.BODY_1_0_SIZE;
        case Layout.BODY_TYPE_TDX_1_5 -> Layout.BODY_1_5_SIZE;
        default -> throw new AttestationException(Reason.UNSUPPORTED_QUOTE, "v5 body type " + bodyType);
      };
      if (size != expected) {
        throw new AttestationException(Reason.MALFORMED_QUOTE,
            "v5 body size " + size + " for body type " + bodyType + ", expected " + expected);
      }
      bodySize = expected;
    }
    body = new TdReport(in.take(bodySize, "TD report body"));
    signedBytes = Arrays.copyOfRange(q, 0, in.position());

    int sigLen = in.length32("signature data length");
    ByteCursor sig = new ByteCursor(q, in.position(), in.position() + sigLen);
    length = in.position() + sigLen;
    signature = sig.take(64, "quote signature");
    attestationKey = sig.take(64, "attestation key");
    certificationDataType = sig.u16("certification data type");
    if (certificationDataType != Layout.CERT_DATA_QE_REPORT) {
      throw new AttestationException(Reason.UNSUPPORTED_QUOTE,
          "certification data type " + certificationDataType + ", expected " + Layout.CERT_DATA_QE_REPORT);
    }
    int certLen = sig.length32("certification data size");
    ByteCursor cert = new ByteCursor(q, sig.position(), sig.position() + certLen);
    qeReport = new QeReport(cert.take(Layout.QE_REPORT_SIZE, "QE report"));
    qeReportSignature = cert.take(64, "QE report signature");
    qeAuthData = cert.take(cert.u16("QE auth data size"), "QE auth data");
    int innerType = cert.u16("inner certification data type");
    if (innerType != Layout.CERT_DATA_PCK_CHAIN) {
      throw new AttestationException(Reason.UNSUPPORTED_QUOTE,
          "inner certification data type " + innerType + ", expected " + Layout.CERT_DATA_PCK_CHAIN);
    }
    pckCertChain = cert.take(cert.length32("PCK chain size"), "PCK chain");
  }

  /**
   * Parses a quote. Trailing bytes after the signature data are ignored.
   *
   * @throws AttestationException {@link Reason#MALFORMED_QUOTE} or {@link Reason#UNSUPPORTED_QUOTE}
   */
  public static TdxQuote parse(byte[] bytes) throws AttestationException {
    if (bytes == null) {
      throw new AttestationException(Reason.MALFORMED_QUOTE, "no quote bytes");
    }
    return new TdxQuote(bytes);
  }

  /** 4 or 5. */
  public int version() {
    return version;
  }

  public int attestationKeyType() {
    return attestationKeyType;
  }

  public int teeType() {
    return teeType;
  }

  /** The 48 header bytes. */
  public byte[] header() {
    return header.clone();
  }

  /** Header bytes 8..11 (reserved in the TDX quote format; older quotes carry QE/PCE SVNs there). */
  public byte[] reserved() {
    return Arrays.copyOfRange(header, Layout.HEADER_RESERVED, Layout.HEADER_RESERVED + 4);
  }

  public byte[] qeVendorId() {
    return Arrays.copyOfRange(header, Layout.HEADER_QE_VENDOR_ID, Layout.HEADER_QE_VENDOR_ID + 16);
  }

  public byte[] userData() {
    return Arrays.copyOfRange(header, Layout.HEADER_USER_DATA, Layout.HEADER_USER_DATA + 20);
  }

  /** 2 (TDX 1.0 body) or 3 (TDX 1.5 body); always 2 for v4. */
  public int bodyType() {
    return bodyType;
  }

  public TdReport body() {
    return body;
  }

  /** Exactly the bytes the quote signature covers. */
  public byte[] signedBytes() {
    return signedBytes.clone();
  }

  /** The quote signature, r||s, 32 bytes each, big-endian. */
  public byte[] signature() {
    return signature.clone();
  }

  /** The attestation public key (P-256), x||y, 32 bytes each, big-endian. */
  public byte[] attestationKey() {
    return attestationKey.clone();
  }

  /** Always 6 (QE report certification data) for a quote that parsed. */
  public int certificationDataType() {
    return certificationDataType;
  }

  public QeReport qeReport() {
    return qeReport;
  }

  /** The QE report signature by the PCK leaf key, r||s. */
  public byte[] qeReportSignature() {
    return qeReportSignature.clone();
  }

  public byte[] qeAuthData() {
    return qeAuthData.clone();
  }

  /** The PCK certificate chain as carried in the quote (PEM, possibly NUL-padded). */
  public String pckCertChainPem() {
    int end = pckCertChain.length;
    while (end > 0 && pckCertChain[end - 1] == 0) {
      end--;
    }
    return new String(pckCertChain, 0, end, StandardCharsets.ISO_8859_1);
  }

  /** Number of input bytes the quote occupies (header through the end of the signature data). */
  public int length() {
    return length;
  }
}
