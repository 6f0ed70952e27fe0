package io.ppml.attestation.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import io.ppml.attestation.dcap.DcapVerifier;
import io.ppml.attestation.dcap.DirectoryCollateralSource;
import io.ppml.attestation.policy.AttestationPolicy;
import io.ppml.attestation.policy.PolicyResult;
import io.ppml.attestation.tdx.TdxQuote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedTdxTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static SimulatedTdx sim;

  @BeforeAll
  static void createPlatform() {
    sim = SimulatedTdx.create(CLOCK);
  }

  private static byte[] reportData(int seed) {
    byte[] b = new byte[64];
    Arrays.fill(b, (byte) seed);
    b[63] = (byte) 0x5a;
    return b;
  }

  private static DcapVerifier.Builder verifier() {
    return DcapVerifier.builder().clock(CLOCK);
  }

  private static String allowingPolicy(SimulatedTdx platform, boolean allowSimulated) {
    return """
        mrtd: ["%s"]
        rtmr0: ["%s"]
        rtmr1: ["%s"]
        rtmr2: ["%s"]
        rtmr3: ["%s"]
        mrconfigid: ["*"]
        mrowner: ["*"]
        allowSimulated: %s
        """.formatted(platform.mrTdHex(), platform.rtmrHex(0), platform.rtmrHex(1), platform.rtmrHex(2),
        platform.rtmrHex(3), allowSimulated);
  }

  @Test
  void quoteHasTheV4LayoutAndCarriesTheReportData() throws Exception {
    byte[] rd = reportData(1);
    TdxQuote quote = TdxQuote.parse(sim.quote(rd));
    assertEquals(4, quote.version());
    assertEquals(TdxQuote.Layout.ATT_KEY_TYPE_ECDSA_P256, quote.attestationKeyType());
    assertEquals(TdxQuote.Layout.TEE_TYPE_TDX, quote.teeType());
    assertEquals("939a7233f79c4ca9940a0db3957f0607", HexFormat.of().formatHex(quote.qeVendorId()));
    assertArrayEquals(rd, quote.body().reportData());
    assertEquals(sim.mrTdHex(), HexFormat.of().formatHex(quote.body().mrTd()));
    assertFalse(quote.body().debug());
    assertTrue(quote.pckCertChainPem().contains("BEGIN CERTIFICATE"));
    assertTrue(sim.rootCertificate().getSubjectX500Principal().getName().contains("SIMULATED"));
    assertTrue(sim.simulated());
    assertEquals("tdx", sim.teeType());
    assertThrows(IllegalArgumentException.class, () -> sim.quote(new byte[63]));
  }

  @Test
  void verifiesOnlyWithTheSimulatedRootConfigured() throws Exception {
    byte[] quote = sim.quote(reportData(2));
    AttestationException untrusted =
        assertThrows(AttestationException.class, () -> verifier().build().verify(quote));
    assertEquals(Reason.UNTRUSTED_ROOT, untrusted.reason());

    AttestationClaims claims = verifier().simulatedRoot(sim.rootCertificate()).build().verify(quote);
    assertTrue(claims.simulated());
    assertEquals(TcbStatus.UNKNOWN, claims.tcbStatus());
    assertEquals(HexFormat.of().formatHex(reportData(2)), claims.reportData());
    assertEquals(sim.mrTdHex(), claims.mrTd());
    assertEquals(List.of(sim.rtmrHex(0), sim.rtmrHex(1), sim.rtmrHex(2), sim.rtmrHex(3)), claims.rtmrs());
    assertEquals("00a06f000000", claims.fmspc());
    assertFalse(claims.debug());
  }

  @Test
  void anotherSimulatedPlatformsRootDoesNotVerify() throws Exception {
    SimulatedTdx other = SimulatedTdx.create(CLOCK);
    AttestationException e = assertThrows(AttestationException.class,
        () -> verifier().simulatedRoot(other.rootCertificate()).build().verify(sim.quote(reportData(3))));
    assertEquals(Reason.UNTRUSTED_ROOT, e.reason());
  }

  @Test
  void tamperedSimulatedQuoteIsRejected() throws Exception {
    byte[] quote = sim.quote(reportData(4));
    quote[TdxQuote.Layout.HEADER_SIZE + TdxQuote.Layout.MR_TD] ^= 1;
    AttestationException e = assertThrows(AttestationException.class,
        () -> verifier().simulatedRoot(sim.rootCertificate()).build().verify(quote));
    assertEquals(Reason.QUOTE_SIGNATURE_INVALID, e.reason());
  }

  @Test
  void simulatedCollateralYieldsUpToDate(@TempDir Path dir) throws Exception {
    sim.writeCollateral(dir, NOW.minus(Duration.ofDays(1)));
    AttestationClaims claims = verifier().simulatedRoot(sim.rootCertificate())
        .collateral(new DirectoryCollateralSource(dir)).build().verify(sim.quote(reportData(5)));
    assertEquals(TcbStatus.UP_TO_DATE, claims.tcbStatus());
    assertEquals(List.of(), claims.advisoryIds());
    assertTrue(claims.simulated());

    // The same collateral is rejected once it has expired.
    Clock later = Clock.fixed(NOW.plus(Duration.ofDays(40)), ZoneOffset.UTC);
    AttestationException expired = assertThrows(AttestationException.class,
        () -> DcapVerifier.builder().clock(later).simulatedRoot(sim.rootCertificate())
            .collateral(new DirectoryCollateralSource(dir)).build().verify(sim.quote(reportData(5))));
    assertEquals(Reason.COLLATERAL_EXPIRED, expired.reason());
  }

  @Test
  void acceptedOnlyByAPolicyThatAllowsSimulation(@TempDir Path dir) throws Exception {
    sim.writeCollateral(dir, NOW.minus(Duration.ofHours(1)));
    AttestationClaims claims = verifier().simulatedRoot(sim.rootCertificate())
        .collateral(new DirectoryCollateralSource(dir)).build().verify(sim.quote(reportData(6)));

    PolicyResult byDefault = AttestationPolicy.denyAll().evaluate(claims, reportData(6));
    assertFalse(byDefault.accepted());
    assertTrue(byDefault.failedRules().contains(AttestationPolicy.ALLOW_SIMULATED));

    PolicyResult measurementsOnly =
        AttestationPolicy.parse(allowingPolicy(sim, false), "p.yaml").evaluate(claims, reportData(6));
    assertEquals(List.of(AttestationPolicy.ALLOW_SIMULATED), measurementsOnly.failedRules());

    PolicyResult allowed =
        AttestationPolicy.parse(allowingPolicy(sim, true), "p.yaml").evaluate(claims, reportData(6));
    assertTrue(allowed.accepted(), allowed.failures()::toString);
  }

  @Test
  void measurementsAndDebugAreConfigurable() throws Exception {
    byte[] mrtd = new byte[48];
    Arrays.fill(mrtd, (byte) 0x42);
    byte[] rtmr2 = new byte[48];
    Arrays.fill(rtmr2, (byte) 0x24);
    SimulatedTdx custom = sim.withMrTd(mrtd).withRtmr(2, rtmr2).withDebug(true);
    AttestationClaims claims =
        verifier().simulatedRoot(sim.rootCertificate()).build().verify(custom.quote(reportData(7)));
    assertEquals(HexFormat.of().formatHex(mrtd), claims.mrTd());
    assertEquals(HexFormat.of().formatHex(rtmr2), claims.rtmrs().get(2));
    assertEquals(sim.rtmrHex(1), claims.rtmrs().get(1));
    assertTrue(claims.debug());
    PolicyResult result = AttestationPolicy.parse(allowingPolicy(custom, true), "p.yaml").evaluate(claims, null);
    // Verified without collateral: TCB status Unknown fails the default minimum too.
    assertEquals(List.of(AttestationPolicy.ALLOW_DEBUG, AttestationPolicy.MINIMUM_TCB_STATUS), result.failedRules());
    assertThrows(IllegalArgumentException.class, () -> sim.withMrTd(new byte[32]));
    assertThrows(IllegalArgumentException.class, () -> sim.withRtmr(4, rtmr2));
  }

  @Test
  void persistAndLoadShareOnePlatform(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    byte[] mrtd = new byte[48];
    Arrays.fill(mrtd, (byte) 0x77);
    sim.withMrTd(mrtd).persist(state);
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(state.resolve(SimulatedTdx.STATE_FILE)));
    assertTrue(Files.readString(state.resolve(SimulatedTdx.ROOT_CERTIFICATE_FILE)).contains("BEGIN CERTIFICATE"));

    SimulatedTdx loaded = SimulatedTdx.load(state);
    assertEquals(sim.rootCertificate(), loaded.rootCertificate());
    assertEquals(HexFormat.of().formatHex(mrtd), loaded.mrTdHex());
    // A quote from the loaded platform verifies against the original's root: same keys.
    AttestationClaims claims =
        verifier().simulatedRoot(sim.rootCertificate()).build().verify(loaded.quote(reportData(8)));
    assertEquals(HexFormat.of().formatHex(mrtd), claims.mrTd());
    assertNotEquals(sim.mrTdHex(), claims.mrTd());
  }

  @Test
  void loadOrCreateCreatesOnceThenReuses(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("shared");
    SimulatedTdx first = SimulatedTdx.loadOrCreate(state, CLOCK);
    SimulatedTdx second = SimulatedTdx.loadOrCreate(state, CLOCK);
    assertEquals(first.rootCertificate(), second.rootCertificate());
    assertNotEquals(sim.rootCertificate(), first.rootCertificate());
  }

  @Test
  void loadRejectsAMissingOrForeignStateFile(@TempDir Path dir) throws Exception {
    assertThrows(java.nio.file.NoSuchFileException.class, () -> SimulatedTdx.load(dir));
    Files.writeString(dir.resolve(SimulatedTdx.STATE_FILE), "{\"version\": 99}");
    assertThrows(java.io.IOException.class, () -> SimulatedTdx.load(dir));
  }
}
