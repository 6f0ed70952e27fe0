package io.ppml.attestation.tdx;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.dcap.Collateral;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;

/** The real quotes and collateral under src/test/resources/tdx (see README.md there for their origin). */
public final class TdxFixtures {
  public static final String V4_QUOTE = "gotdx_tdx_prod_quote_SPR_E4_v4.dat";
  public static final String V5_QUOTE = "gotdx_quote_v5_sample.dat";
  public static final String CCEL_QUOTE = "gotdx_ccel_cos-113-tdx-quote.dat";
  public static final String CCEL_NONCE = "gotdx_ccel_nonce.dat";
  public static final String TCB_INFO_V4 = "gotdx_sample_tcbInfo_response";
  public static final String TCB_INFO_V5 = "gotdx_sample_tcbinfo_response_v5";
  public static final String QE_IDENTITY = "gotdx_sample_qeIdentity_response";
  public static final String TCB_INFO_ISSUER_CHAIN = "gotdx_tcbinfo_issuer_chain.pem";
  public static final String QE_IDENTITY_ISSUER_CHAIN = "gotdx_qeidentity_issuer_chain.pem";
  public static final String PCK_CRL = "gotdx_pckcrl";
  public static final String PCK_CRL_ISSUER_CHAIN = "gotdx_pckcrl_issuer_chain.pem";
  public static final String ROOT_CRL = "gotdx_rootcrl.der";
  public static final String INTEL_ROOT = "intel_sgx_root_ca.pem";

  /** Inside every PCK leaf's validity (SPR 2022-09..2029-09, cloud 2024-07..2031-07, v5 2026-01..2033-01). */
  public static final Instant ALL_PCK_VALID = Instant.parse("2026-06-01T00:00:00Z");
  /** The instant at which the v4 collateral set (TCB info, QE identity, PCK CRL, root CRL) is current. */
  public static final Instant V4_COLLATERAL_VALID = Instant.parse("2023-07-01T01:00:00Z");
  /** The instant at which the v5 TCB info is current. */
  public static final Instant V5_TCB_INFO_VALID = Instant.parse("2026-02-03T00:00:00Z");

  /** The quote file of {@code name} occupies this many bytes (the rest is padding or test trailer). */
  public static final int V4_QUOTE_LENGTH = 4935;

  private TdxFixtures() {}

  public static byte[] bytes(String name) {
    try (InputStream in = TdxFixtures.class.getResourceAsStream("/tdx/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /tdx/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Intel's v4 collateral set: TCB info for FMSPC 50806f000000, TD_QE identity, CRLs; current 2023-07-01. */
  public static Collateral v4Collateral() throws AttestationException {
    return collateral(bytes(TCB_INFO_V4), bytes(QE_IDENTITY));
  }

  /** The v4 set's issuer chains and CRLs with the given TCB info and QE identity response bodies. */
  public static Collateral collateral(byte[] tcbInfoBody, byte[] qeIdentityBody) throws AttestationException {
    return Collateral.parse(tcbInfoBody, qeIdentityBody, bytes(TCB_INFO_ISSUER_CHAIN),
        bytes(QE_IDENTITY_ISSUER_CHAIN), bytes(PCK_CRL), bytes(PCK_CRL_ISSUER_CHAIN), bytes(ROOT_CRL));
  }
}
