package io.ppml.attestation.dcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import io.ppml.attestation.pcs.EnclaveIdentity;
import io.ppml.attestation.pcs.IsvTcbLevel;
import io.ppml.attestation.pcs.PckExtensions;
import io.ppml.attestation.pcs.PcsResponse;
import io.ppml.attestation.pcs.TcbInfo;
import io.ppml.attestation.tdx.TdxFixtures;
import io.ppml.attestation.tdx.TdxQuote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real quotes from real TDX hardware with real Intel collateral: what a correct verifier must accept. */
class RealQuoteVerificationTest {
  private static final HexFormat HEX = HexFormat.of();

  static DcapVerifier verifierAt(Instant instant) {
    return DcapVerifier.builder().clock(Clock.fixed(instant, ZoneOffset.UTC)).build();
  }

  static DcapVerifier verifierAt(Instant instant, Collateral collateral) {
    return DcapVerifier.builder().clock(Clock.fixed(instant, ZoneOffset.UTC))
        .collateral(CollateralSource.fixed(collateral)).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {TdxFixtures.V4_QUOTE, TdxFixtures.V5_QUOTE, TdxFixtures.CCEL_QUOTE})
  void everyRealQuoteVerifiesWithoutCollateral(String name) throws Exception {
    byte[] bytes = TdxFixtures.bytes(name);
    AttestationClaims claims = verifierAt(TdxFixtures.ALL_PCK_VALID).verify(bytes);
    TdxQuote q = TdxQuote.parse(bytes);
    assertEquals(q.version(), claims.quoteVersion());
    assertFalse(claims.simulated());
    assertEquals(TcbStatus.UNKNOWN, claims.tcbStatus());
    assertEquals(List.of(), claims.advisoryIds());
    assertEquals("", claims.tcbDate());
    assertEquals(HEX.formatHex(q.body().mrTd()), claims.mrTd());
    assertEquals(HEX.formatHex(q.body().reportData()), claims.reportData());
    assertEquals(HEX.formatHex(q.body().rtmr(2)), claims.rtmrs().get(2));
    assertEquals(q.body().debug(), claims.debug());
  }

  @Test
  void claimsOfEachRealQuote() throws Exception {
    AttestationClaims v4 = verifierAt(TdxFixtures.ALL_PCK_VALID).verify(TdxFixtures.bytes(TdxFixtures.V4_QUOTE));
    assertEquals("50806f000000", v4.fmspc());
    assertEquals("03000400000000000000000000000000", v4.teeTcbSvn());
    assertEquals("", v4.teeTcbSvn2());
    assertEquals("", v4.mrServiceTd());

    AttestationClaims v5 = verifierAt(TdxFixtures.ALL_PCK_VALID).verify(TdxFixtures.bytes(TdxFixtures.V5_QUOTE));
    assertEquals(5, v5.quoteVersion());
    assertEquals("90c06f000000", v5.fmspc());
    assertEquals("0d010400000000000000000000000000", v5.teeTcbSvn2());
    assertEquals(96, v5.mrServiceTd().length());

    AttestationClaims ccel = verifierAt(TdxFixtures.ALL_PCK_VALID)
        .verify(TdxFixtures.bytes(TdxFixtures.CCEL_QUOTE));
    assertEquals(HEX.formatHex(TdxFixtures.bytes(TdxFixtures.CCEL_NONCE)), ccel.reportData());
  }

  @Test
  void sgxExtensionsOfTheRealPckLeaf() throws Exception {
    TdxQuote q = TdxQuote.parse(TdxFixtures.bytes(TdxFixtures.V4_QUOTE));
    PckExtensions pck = PckExtensions.of(Pem.certificates(q.pckCertChainPem(), "pck", Reason.CHAIN_INVALID).get(0));
    assertEquals("50806f000000", pck.fmspcHex());
    assertEquals("0000", pck.pceIdHex());
    assertEquals(16, pck.ppid().length);
    assertEquals(16, pck.cpuSvn().length);
    assertEquals(16, pck.sgxTcbComponents().length);
    // The CPUSVN extension carries the same 16 SGX TCB component SVNs as bytes.
    for (int i = 0; i < 16; i++) {
      assertEquals(pck.cpuSvn()[i] & 0xff, pck.sgxTcbComponent(i));
    }
  }

  @Test
  void embeddedRootIsThePinnedIntelRoot() throws Exception {
    X509Certificate root = DcapVerifier.intelSgxRootCa();
    assertEquals(DcapVerifier.INTEL_SGX_ROOT_CA_SHA256, HEX.formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(root.getEncoded())));
    String pem = new String(TdxFixtures.bytes(TdxFixtures.INTEL_ROOT), StandardCharsets.US_ASCII);
    assertArrayEquals(root.getEncoded(), Pem.certificates(pem, "root", Reason.CHAIN_INVALID).get(0).getEncoded());
  }

  /**
   * With the v4 collateral at 2023-07-01 every check passes (CRLs, both signatures over the exact JSON, all
   * windows, FMSPC/PCE-ID, TDX module identity, QE identity) up to the platform TCB level, and there is no
   * level: every level of this TCB info requires TDX component 2 (TDX late microcode update) SVN 5, and the
   * quote's TEE_TCB_SVN is 03 00 04 …, so SVN 4. Intel's QVL reports "TCB not supported" for this and
   * go-tdx-guest's own test of these files expects "no matching TCB level found"; so must we.
   */
  @Test
  void v4QuoteWithV4CollateralHasNoMatchingTcbLevel() throws Exception {
    AttestationException e = assertThrows(AttestationException.class,
        () -> verifierAt(TdxFixtures.V4_COLLATERAL_VALID, TdxFixtures.v4Collateral())
            .verify(TdxFixtures.bytes(TdxFixtures.V4_QUOTE)));
    assertEquals(Reason.TCB_LEVEL_NOT_FOUND, e.reason());
  }

  /** Each signed part of the v4 set verifies with Intel's TCB Signing key; the QE matches TD_QE. */
  @Test
  void v4CollateralPartsVerifyAtTheirInstant() throws Exception {
    Collateral c = TdxFixtures.v4Collateral();
    X509Certificate signer = c.tcbInfoIssuerChain().get(0);
    assertTrue(Ecdsa.verify(signer.getPublicKey(), c.tcbInfo().signedBytes(), c.tcbInfo().signature()));
    assertTrue(Ecdsa.verify(c.qeIdentityIssuerChain().get(0).getPublicKey(), c.qeIdentity().signedBytes(),
        c.qeIdentity().signature()));
    // The QE of the v4 quote matches the TD_QE identity and its single level (ISVSVN 4): UpToDate.
    TdxQuote q = TdxQuote.parse(TdxFixtures.bytes(TdxFixtures.V4_QUOTE));
    IsvTcbLevel qe = TcbEvaluator.qeLevel(c.qeIdentity().value(), q.qeReport());
    assertEquals(TcbStatus.UP_TO_DATE, qe.status());
  }

  @Test
  void v4CollateralIsRejectedAsExpiredToday() throws Exception {
    AttestationException e = assertThrows(AttestationException.class,
        () -> verifierAt(Instant.now(), TdxFixtures.v4Collateral()).verify(TdxFixtures.bytes(TdxFixtures.V4_QUOTE)));
    assertTrue(e.reason() == Reason.COLLATERAL_EXPIRED || e.reason() == Reason.CERTIFICATE_EXPIRED,
        e.reason().toString());
  }

  /**
   * The v5 TCB info (FMSPC 90c06f000000, 2026-02-01 .. 2026-03-03) has no matching QE identity or CRLs in the
   * fixtures (those expired in 2023/2024), and the fixtures' TCB Signing certificate expired 2025-05-21,
   * so a full verification at 2026-02-03 stops at the expired root CRL. The TCB info itself is checked
   * here: Intel's signature over the exact inner bytes, its window, and the level match of the real v5 quote.
   * TEE_TCB_SVN is 0b 01 04 …: module major version 1, so identity TDX_01 applies and module SVN 11 >= 6
   * gives UpToDate; the platform level compares TDX components from index 2 (4 >= 3) and the PCK's SGX
   * components and PCESVN, and the first level is UpToDate.
   */
  @Test
  void v5QuoteAgainstV5TcbInfo() throws Exception {
    Instant at = TdxFixtures.V5_TCB_INFO_VALID;
    PcsResponse<TcbInfo> info = TcbInfo.parseResponse(TdxFixtures.bytes(TdxFixtures.TCB_INFO_V5));
    X509Certificate signer = Pem.certificates(new String(TdxFixtures.bytes(TdxFixtures.TCB_INFO_ISSUER_CHAIN),
        StandardCharsets.US_ASCII), "chain", Reason.CHAIN_INVALID).get(0);
    assertTrue(Ecdsa.verify(signer.getPublicKey(), info.signedBytes(), info.signature()));
    assertFalse(at.isBefore(info.value().issueDate()) || at.isAfter(info.value().nextUpdate()));
    // The fixture's TCB Signing certificate expired 2025-05-21; Intel re-issued it with the same key, and
    // that renewed certificate is not among the fixtures, so only the signature (same key) is checked here.
    assertTrue(at.isAfter(signer.getNotAfter().toInstant()));

    byte[] bytes = TdxFixtures.bytes(TdxFixtures.V5_QUOTE);
    TdxQuote q = TdxQuote.parse(bytes);
    X509Certificate leaf = Pem.certificates(q.pckCertChainPem(), "pck", Reason.CHAIN_INVALID).get(0);
    PckExtensions pck = PckExtensions.of(leaf);
    assertEquals(info.value().fmspc(), pck.fmspcHex());
    assertEquals(info.value().pceId(), pck.pceIdHex());
    byte[] svn = q.body().teeTcbSvn();
    IsvTcbLevel module = TcbEvaluator.moduleLevel(info.value(), svn, q.body().mrSignerSeam(),
        q.body().seamAttributes()).orElseThrow();
    assertEquals(TcbStatus.UP_TO_DATE, module.status());
    assertEquals(6, module.isvSvn());
    TcbInfo.TcbLevel platform = TcbEvaluator.platformLevel(info.value(), svn, pck);
    assertEquals(TcbStatus.UP_TO_DATE, platform.status());
    assertEquals(Instant.parse("2024-11-13T00:00:00Z"), platform.tcbDate());

    Collateral c = TdxFixtures.collateral(TdxFixtures.bytes(TdxFixtures.TCB_INFO_V5),
        TdxFixtures.bytes(TdxFixtures.QE_IDENTITY));
    AttestationException e = assertThrows(AttestationException.class, () -> verifierAt(at, c).verify(bytes));
    assertEquals(Reason.COLLATERAL_EXPIRED, e.reason());
  }

  @Test
  void directorySourceReadsPcsFiles(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve(DirectoryCollateralSource.TCB_INFO), TdxFixtures.bytes(TdxFixtures.TCB_INFO_V4));
    Files.write(dir.resolve(DirectoryCollateralSource.QE_IDENTITY), TdxFixtures.bytes(TdxFixtures.QE_IDENTITY));
    Files.write(dir.resolve(DirectoryCollateralSource.TCB_INFO_ISSUER_CHAIN),
        TdxFixtures.bytes(TdxFixtures.TCB_INFO_ISSUER_CHAIN));
    Files.write(dir.resolve(DirectoryCollateralSource.QE_IDENTITY_ISSUER_CHAIN),
        TdxFixtures.bytes(TdxFixtures.QE_IDENTITY_ISSUER_CHAIN));
    Files.write(dir.resolve(DirectoryCollateralSource.PCK_CRL), TdxFixtures.bytes(TdxFixtures.PCK_CRL));
    Files.write(dir.resolve(DirectoryCollateralSource.PCK_CRL_ISSUER_CHAIN),
        TdxFixtures.bytes(TdxFixtures.PCK_CRL_ISSUER_CHAIN));
    Files.write(dir.resolve(DirectoryCollateralSource.ROOT_CRL), TdxFixtures.bytes(TdxFixtures.ROOT_CRL));
    DirectoryCollateralSource source = new DirectoryCollateralSource(dir);
    Collateral c = source.collateralFor("50806f000000", "0000", false);
    assertEquals("50806f000000", c.tcbInfo().value().fmspc());
    assertEquals(15, c.tcbInfo().value().tcbEvaluationDataNumber());
    DcapVerifier v = DcapVerifier.builder().collateral(source)
        .clock(Clock.fixed(TdxFixtures.V4_COLLATERAL_VALID, ZoneOffset.UTC)).build();
    assertEquals(Reason.TCB_LEVEL_NOT_FOUND, assertThrows(AttestationException.class,
        () -> v.verify(TdxFixtures.bytes(TdxFixtures.V4_QUOTE))).reason());

    Files.write(dir.resolve(DirectoryCollateralSource.QE_IDENTITY), new byte[] {'{'});
    assertEquals(Reason.COLLATERAL_MALFORMED, assertThrows(AttestationException.class,
        () -> new DirectoryCollateralSource(dir)).reason());
    Files.delete(dir.resolve(DirectoryCollateralSource.ROOT_CRL));
    assertEquals(Reason.COLLATERAL_UNAVAILABLE, assertThrows(AttestationException.class,
        () -> new DirectoryCollateralSource(dir)).reason());
  }

  @Test
  void signedBytesAreTheExactInnerObject() throws Exception {
    byte[] body = TdxFixtures.bytes(TdxFixtures.QE_IDENTITY);
    PcsResponse<EnclaveIdentity> r = EnclaveIdentity.parseResponse(body);
    String text = new String(body, StandardCharsets.UTF_8);
    int start = text.indexOf("{\"id\"");
    int end = text.indexOf(",\"signature\"");
    assertEquals(text.substring(start, end), new String(r.signedBytes(), StandardCharsets.UTF_8));
    assertEquals("TD_QE", r.value().id());
    assertEquals(2, r.value().isvProdId());
  }
}
