package io.ppml.attestation.pcs;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * The Intel SGX extensions of a PCK certificate (extension OID {@value #SGX_EXTENSIONS_OID}): a sequence of
 * (OID, value) pairs. Parsed: PPID (.1), TCB (.2: SGX components .2.1-.2.16, PCESVN .2.17, CPUSVN .2.18),
 * PCE-ID (.3), FMSPC (.4) and SGX type (.5, optional here).
 *
 * @param ppid 16 bytes
 * @param sgxTcbComponents the 16 SGX TCB component SVNs
 * @param pceSvn the PCE SVN
 * @param cpuSvn 16 bytes
 * @param pceId 2 bytes
 * @param fmspc 6 bytes
 * @param sgxType 0 standard, 1 scalable, 2 scalable with integrity; -1 when absent
 */
public record PckExtensions(
    byte[] ppid, int[] sgxTcbComponents, int pceSvn, byte[] cpuSvn, byte[] pceId, byte[] fmspc, int sgxType) {

  public static final String SGX_EXTENSIONS_OID = "1.2.840.113741.1.13.1";
  /** Certificates larger than this are not parsed for extensions (real PCK certificates are ~1.2 KiB). */
  private static final int MAX_EXTENSION_BYTES = 8192;

  public PckExtensions {
    ppid = ppid.clone();
    sgxTcbComponents = sgxTcbComponents.clone();
    cpuSvn = cpuSvn.clone();
    pceId = pceId.clone();
    fmspc = fmspc.clone();
  }

  @Override
  public byte[] ppid() {
    return ppid.clone();
  }

  @Override
  public int[] sgxTcbComponents() {
    return sgxTcbComponents.clone();
  }

  @Override
  public byte[] cpuSvn() {
    return cpuSvn.clone();
  }

  @Override
  public byte[] pceId() {
    return pceId.clone();
  }

  @Override
  public byte[] fmspc() {
    return fmspc.clone();
  }

  /** SGX TCB component {@code i} (0..15) without copying. */
  public int sgxTcbComponent(int i) {
    return sgxTcbComponents[i];
  }

  public String fmspcHex() {
    return HexFormat.of().formatHex(fmspc);
  }

  public String pceIdHex() {
    return HexFormat.of().formatHex(pceId);
  }

  /**
   * Reads the SGX extensions of a PCK leaf certificate.
   *
   * @throws AttestationException {@link Reason#CHAIN_INVALID} when the extension is missing or malformed
   */
  public static PckExtensions of(X509Certificate pckLeaf) throws AttestationException {
    byte[] ext = pckLeaf.getExtensionValue(SGX_EXTENSIONS_OID);
    if (ext == null) {
      throw invalid("has no SGX extensions");
    }
    if (ext.length > MAX_EXTENSION_BYTES) {
      throw invalid("has oversized SGX extensions");
    }
    try {
      ASN1Sequence top = ASN1Sequence.getInstance(
          ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(ext)).getOctets());
      byte[] ppid = null;
      byte[] pceId = null;
      byte[] fmspc = null;
      int sgxType = -1;
      ASN1Sequence tcb = null;
      for (ASN1Encodable e : top) {
        ASN1Sequence pair = pair(e);
        String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
        ASN1Encodable value = pair.getObjectAt(1);
        switch (oid) {
          case SGX_EXTENSIONS_OID + ".1" -> ppid = octets(value, 16, "PPID");
          case SGX_EXTENSIONS_OID + ".2" -> tcb = ASN1Sequence.getInstance(value);
          case SGX_EXTENSIONS_OID + ".3" -> pceId = octets(value, 2, "PCE-ID");
          case SGX_EXTENSIONS_OID + ".4" -> fmspc = octets(value, 6, "FMSPC");
          case SGX_EXTENSIONS_OID + ".5" -> sgxType = ASN1Enumerated.getInstance(value).intValueExact();
          default -> { } // platform instance id, configuration: not used by TDX verification
        }
      }
      if (ppid == null || tcb == null || pceId == null || fmspc == null) {
        throw invalid("lacks PPID, TCB, PCE-ID or FMSPC in its SGX extensions");
      }
      int[] components = new int[16];
      boolean[] seen = new boolean[18];
      int pceSvn = -1;
      byte[] cpuSvn = null;
      String tcbPrefix = SGX_EXTENSIONS_OID + ".2.";
      for (ASN1Encodable e : tcb) {
        ASN1Sequence pair = pair(e);
        String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
        if (!oid.startsWith(tcbPrefix)) {
          throw invalid("has an unexpected TCB entry " + oid);
        }
        int index = Integer.parseInt(oid.substring(tcbPrefix.length()));
        if (index >= 1 && index <= 16) {
          components[index - 1] = svn(pair.getObjectAt(1), 255);
          seen[index - 1] = true;
        } else if (index == 17) {
          pceSvn = svn(pair.getObjectAt(1), 65535);
          seen[16] = true;
        } else if (index == 18) {
          cpuSvn = octets(pair.getObjectAt(1), 16, "CPUSVN");
          seen[17] = true;
        }
      }
      for (boolean s : seen) {
        if (!s) {
          throw invalid("lacks a TCB component in its SGX extensions");
        }
      }
      return new PckExtensions(ppid, components, pceSvn, cpuSvn, pceId, fmspc, sgxType);
    } catch (IOException | IllegalArgumentException | IllegalStateException | ArithmeticException
        | ClassCastException | ArrayIndexOutOfBoundsException e) {
      throw new AttestationException(Reason.CHAIN_INVALID, "PCK certificate SGX extensions are malformed", e);
    }
  }

  private static ASN1Sequence pair(ASN1Encodable e) throws AttestationException {
    ASN1Sequence pair = ASN1Sequence.getInstance(e);
    if (pair.size() != 2) {
      throw invalid("has an SGX extension entry of " + pair.size() + " elements");
    }
    return pair;
  }

  private static byte[] octets(ASN1Encodable value, int size, String name) throws AttestationException {
    byte[] b = ASN1OctetString.getInstance(value).getOctets();
    if (b.length != size) {
      throw invalid("has a " + name + " of " + b.length + " bytes, expected " + size);
    }
    return b;
  }

  private static int svn(ASN1Encodable value, int max) throws AttestationException {
    int v = ASN1Integer.getInstance(value).intValueExact();
    if (v < 0 || v > max) {
      throw invalid("has an SVN out of range");
    }
    return v;
  }

  private static AttestationException invalid(String what) {
    return new AttestationException(Reason.CHAIN_INVALID, "PCK certificate " + what);
  }
}
