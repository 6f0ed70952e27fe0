package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.pcs.EnclaveIdentity;
import io.ppml.attestation.pcs.PcsResponse;
import io.ppml.attestation.pcs.TcbInfo;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Intel DCAP collateral for one platform (FMSPC, PCK CA), parsed but not yet trusted: {@link DcapVerifier}
 * checks every signature, issuer chain and validity window against its pinned root and clock on use.
 *
 * @param tcbInfo the TDX TCB info response (raw body, signed bytes, parsed model)
 * @param qeIdentity the TD_QE identity response
 * @param tcbInfoIssuerChain TCB Signing certificate, then the root (PCS header TCB-Info-Issuer-Chain)
 * @param qeIdentityIssuerChain TCB Signing certificate, then the root (SGX-Enclave-Identity-Issuer-Chain)
 * @param pckCrl the CRL of the PCK Platform or Processor CA
 * @param pckCrlIssuerChain the PCK CA, then the root (SGX-PCK-CRL-Issuer-Chain)
 * @param rootCrl the Intel SGX Root CA CRL
 */
public record Collateral(
    PcsResponse<TcbInfo> tcbInfo,
    PcsResponse<EnclaveIdentity> qeIdentity,
    List<X509Certificate> tcbInfoIssuerChain,
    List<X509Certificate> qeIdentityIssuerChain,
    X509CRL pckCrl,
    List<X509Certificate> pckCrlIssuerChain,
    X509CRL rootCrl) {

  public Collateral {
    tcbInfoIssuerChain = List.copyOf(tcbInfoIssuerChain);
    qeIdentityIssuerChain = List.copyOf(qeIdentityIssuerChain);
    pckCrlIssuerChain = List.copyOf(pckCrlIssuerChain);
  }

  /**
   * Parses collateral as Intel PCS serves it: JSON response bodies, PEM issuer chains (URL-decoded header
   * values), CRLs in DER or PEM.
   *
   * @throws AttestationException {@link Reason#COLLATERAL_MALFORMED} or {@link Reason#CRL_INVALID}
   */
  public static Collateral parse(
      byte[] tcbInfoBody,
      byte[] qeIdentityBody,
      byte[] tcbInfoIssuerChainPem,
      byte[] qeIdentityIssuerChainPem,
      byte[] pckCrl,
      byte[] pckCrlIssuerChainPem,
      byte[] rootCrl)
      throws AttestationException {
    return new Collateral(
        TcbInfo.parseResponse(tcbInfoBody),
        EnclaveIdentity.parseResponse(qeIdentityBody),
        chain(tcbInfoIssuerChainPem, "TCB info issuer chain"),
        chain(qeIdentityIssuerChainPem, "QE identity issuer chain"),
        Pem.crl(pckCrl, "PCK CRL"),
        chain(pckCrlIssuerChainPem, "PCK CRL issuer chain"),
        Pem.crl(rootCrl, "root CRL"));
  }

  private static List<X509Certificate> chain(byte[] pem, String what) throws AttestationException {
    if (pem.length > Pem.MAX_CHAIN_CHARS) {
      throw new AttestationException(Reason.COLLATERAL_MALFORMED, what + " is too large");
    }
    return Pem.certificates(new String(pem, StandardCharsets.ISO_8859_1), what, Reason.COLLATERAL_MALFORMED);
  }
}
