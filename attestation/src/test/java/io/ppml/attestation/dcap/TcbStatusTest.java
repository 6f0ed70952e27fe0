package io.ppml.attestation.dcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import io.ppml.attestation.tdx.TdxFixtures;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How TCB levels, the TDX module level and the QE identity level become the claimed status. */
class TcbStatusTest {
  private static final String QE_OUT_OF_DATE =
      "{\"tcb\":{\"isvsvn\":200},\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
      + "{\"tcb\":{\"isvsvn\":1},\"tcbDate\":\"2023-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
      + "\"advisoryIDs\":[\"INTEL-SA-00900\"]}";

  private static TestPlatform platform;
  private static byte[] quote;

  @BeforeAll
  static void setUp() throws Exception {
    platform = new TestPlatform();
    quote = platform.quote(TdxFixtures.bytes(TdxFixtures.V4_QUOTE));
  }

  private static AttestationClaims verify(Consumer<CollateralSpec> edit) throws AttestationException {
    CollateralSpec spec = new CollateralSpec(platform);
    edit.accept(spec);
    return DcapVerifier.builder().trustedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
        .collateral(CollateralSource.fixed(spec.build())).build().verify(quote);
  }

  @Test
  void firstLevelTheQuoteMeetsGivesStatusAdvisoriesAndDate() throws Exception {
    AttestationClaims c = verify(s -> { });
    assertEquals(TcbStatus.OUT_OF_DATE, c.tcbStatus());
    assertEquals(List.of("INTEL-SA-00837"), c.advisoryIds());
    assertEquals("2024-03-13T00:00:00Z", c.tcbDate());
    assertFalse(c.simulated());
    assertEquals(TestPlatform.FMSPC, c.fmspc());
  }

  @Test
  void upToDateWhenTheBestLevelIsMet() throws Exception {
    AttestationClaims c = verify(s -> s.tcbLevels = CollateralSpec.level("UpToDate", 11, 4, "[]"));
    assertEquals(TcbStatus.UP_TO_DATE, c.tcbStatus());
    assertEquals(List.of(), c.advisoryIds());
  }

  @Test
  void outOfDateQuotingEnclaveCapsTheStatusAndAddsItsAdvisories() throws Exception {
    AttestationClaims c = verify(s -> {
      s.tcbLevels = CollateralSpec.level("UpToDate", 11, 4, "[]");
      s.qeTcbLevels = QE_OUT_OF_DATE;
    });
    assertEquals(TcbStatus.OUT_OF_DATE, c.tcbStatus());
    assertEquals(List.of("INTEL-SA-00900"), c.advisoryIds());

    AttestationClaims both = verify(s -> {
      s.tcbLevels = CollateralSpec.level("ConfigurationNeeded", 11, 4, "[\"INTEL-SA-00615\"]");
      s.qeTcbLevels = QE_OUT_OF_DATE;
    });
    assertEquals(TcbStatus.OUT_OF_DATE_CONFIGURATION_NEEDED, both.tcbStatus());
    assertEquals(List.of("INTEL-SA-00615", "INTEL-SA-00900"), both.advisoryIds());
  }

  @Test
  void revokedLevel() throws Exception {
    assertEquals(TcbStatus.REVOKED,
        verify(s -> s.tcbLevels = CollateralSpec.level("Revoked", 11, 4, "[]")).tcbStatus());
  }

  @Test
  void simulatedRootIsVerifiedIdenticallyAndFlagged() throws Exception {
    DcapVerifier v = DcapVerifier.builder().simulatedRoot(platform.root)
        .clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
        .collateral(CollateralSource.fixed(new CollateralSpec(platform).build())).build();
    AttestationClaims c = v.verify(quote);
    assertTrue(c.simulated());
    assertEquals(TcbStatus.OUT_OF_DATE, c.tcbStatus());
    // The real Intel quote still verifies with the default trusted root alongside it.
    assertFalse(DcapVerifier.builder().simulatedRoot(platform.root)
        .clock(Clock.fixed(TdxFixtures.ALL_PCK_VALID, ZoneOffset.UTC)).build()
        .verify(TdxFixtures.bytes(TdxFixtures.V4_QUOTE)).simulated());
    // A simulated quote needs its collateral to chain to the same simulated root.
    CollateralSpec intelish = new CollateralSpec(platform);
    intelish.tcbInfoChain = List.of(new TestPlatform().tcbSigning, platform.root);
    assertEquals(Reason.CHAIN_INVALID, assertThrows(AttestationException.class,
        () -> DcapVerifier.builder().simulatedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
            .collateral(CollateralSource.fixed(intelish.build())).build().verify(quote)).reason());
  }

  @ParameterizedTest
  @CsvSource({
      "UpToDate, UpToDate, UpToDate",
      "UpToDate, OutOfDate, OutOfDate",
      "SWHardeningNeeded, OutOfDate, OutOfDate",
      "ConfigurationNeeded, OutOfDate, OutOfDateConfigurationNeeded",
      "ConfigurationAndSWHardeningNeeded, OutOfDate, OutOfDateConfigurationNeeded",
      "OutOfDate, ConfigurationNeeded, OutOfDateConfigurationNeeded",
      "SWHardeningNeeded, ConfigurationNeeded, ConfigurationNeeded",
      "SWHardeningNeeded, UpToDate, SWHardeningNeeded",
      "OutOfDateConfigurationNeeded, UpToDate, OutOfDateConfigurationNeeded",
      "UpToDate, Revoked, Revoked",
      "Revoked, OutOfDate, Revoked",
  })
  void combine(String platformStatus, String other, String expected) {
    assertEquals(TcbStatus.fromPcsName(expected),
        TcbEvaluator.combine(TcbStatus.fromPcsName(platformStatus), TcbStatus.fromPcsName(other)));
    assertEquals(TcbStatus.fromPcsName(expected),
        TcbEvaluator.combine(TcbStatus.fromPcsName(other), TcbStatus.fromPcsName(platformStatus)));
  }
}
