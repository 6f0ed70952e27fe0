package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Collateral saved from Intel PCS into one directory (one platform):
 * <pre>
 * tcb_info.json                 TCB info response body
 * qe_identity.json              QE identity response body
 * tcb_info_issuer_chain.pem     TCB-Info-Issuer-Chain header, URL-decoded
 * qe_identity_issuer_chain.pem  SGX-Enclave-Identity-Issuer-Chain header, URL-decoded
 * pck_crl.der                   PCK CRL (DER or PEM)
 * pck_crl_issuer_chain.pem      SGX-PCK-CRL-Issuer-Chain header, URL-decoded
 * root_crl.der                  Intel SGX Root CA CRL (DER or PEM)
 * </pre>
 * The files are read and parsed once, at construction; build a new source to pick up refreshed files. The
 * directory serves whatever platform its files describe; the verifier rejects a mismatch.
 */
public final class DirectoryCollateralSource implements CollateralSource {
  public static final String TCB_INFO = "tcb_info.json";
  public static final String QE_IDENTITY = "qe_identity.json";
  public static final String TCB_INFO_ISSUER_CHAIN = "tcb_info_issuer_chain.pem";
  public static final String QE_IDENTITY_ISSUER_CHAIN = "qe_identity_issuer_chain.pem";
  public static final String PCK_CRL = "pck_crl.der";
  public static final String PCK_CRL_ISSUER_CHAIN = "pck_crl_issuer_chain.pem";
  public static final String ROOT_CRL = "root_crl.der";
  /** No collateral file is anywhere near this large. */
  private static final int MAX_FILE_BYTES = 4 * 1024 * 1024;

  private final Path dir;
  private final Collateral collateral;

  /**
   * Reads the collateral files of {@code dir}.
   *
   * @throws AttestationException {@link Reason#COLLATERAL_UNAVAILABLE} naming a missing or unreadable file,
   *     {@link Reason#COLLATERAL_MALFORMED} or {@link Reason#CRL_INVALID} for one that does not parse
   */
  public DirectoryCollateralSource(Path dir) throws AttestationException {
    this.dir = dir;
    this.collateral = Collateral.parse(read(TCB_INFO), read(QE_IDENTITY), read(TCB_INFO_ISSUER_CHAIN),
        read(QE_IDENTITY_ISSUER_CHAIN), read(PCK_CRL), read(PCK_CRL_ISSUER_CHAIN), read(ROOT_CRL));
  }

  private byte[] read(String name) throws AttestationException {
    Path file = dir.resolve(name);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new AttestationException(Reason.COLLATERAL_MALFORMED, "collateral file " + file + " is too large");
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "collateral file " + file + " is missing", e);
    } catch (IOException e) {
      throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "collateral file " + file + " unreadable", e);
    }
  }

  @Override
  public Collateral collateralFor(String fmspcHex, String pceIdHex, boolean pckProcessorCa) {
    return collateral;
  }

  @Override
  public String toString() {
    return "DirectoryCollateralSource[" + dir + "]";
  }
}
