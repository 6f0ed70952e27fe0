package io.ppml.attestation.dcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import io.ppml.attestation.tdx.TdxFixtures;
import io.ppml.attestation.tdx.TdxQuote;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TDX module major version > 0 (TEE_TCB_SVN[1]): the real v5 quote's TD report (TEE_TCB_SVN 0b 01 04 …)
 * re-signed by a {@link TestPlatform}, against TCB info with tdxModuleIdentities.
 */
class TdxModuleIdentityTest {
  private static final String MODULE_LEVELS =
      "{\"tcb\":{\"isvsvn\":12},\"tcbDate\":\"2025-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
      + "{\"tcb\":{\"isvsvn\":6},\"tcbDate\":\"2024-11-13T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
      + "\"advisoryIDs\":[\"INTEL-SA-01099\"]}";

  private static TestPlatform platform;
  private static byte[] quote;

  @BeforeAll
  static void setUp() throws Exception {
    platform = new TestPlatform();
    quote = platform.quote(TdxFixtures.bytes(TdxFixtures.V5_QUOTE));
    assertEquals("0b010400000000000000000000000000",
        HexFormat.of().formatHex(TdxQuote.parse(quote).body().teeTcbSvn()));
  }

  private static AttestationClaims verify(Consumer<CollateralSpec> edit) throws AttestationException {
    CollateralSpec spec = new CollateralSpec(platform);
    // TDX components 0 and 1 are rated by the module identity, so a platform level demanding 200 there
    // still matches; component 2 (4 in the quote) is compared.
    spec.tcbLevels = CollateralSpec.level("UpToDate", 11, 200, 4, "[]");
    spec.moduleIdentities = CollateralSpec.moduleIdentity("TDX_03", "{\"tcb\":{\"isvsvn\":0},"
        + "\"tcbDate\":\"2024-01-01T00:00:00Z\",\"tcbStatus\":\"Revoked\"}") + ","
        + CollateralSpec.moduleIdentity("TDX_01", MODULE_LEVELS);
    edit.accept(spec);
    return DcapVerifier.builder().trustedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
        .collateral(CollateralSource.fixed(spec.build())).build().verify(quote);
  }

  @Test
  void moduleLevelByIsvSvnCombinesWithPlatformLevel() throws Exception {
    AttestationClaims c = verify(s -> { });
    assertEquals(5, c.quoteVersion());
    assertEquals(TcbStatus.OUT_OF_DATE, c.tcbStatus());
    assertEquals(List.of("INTEL-SA-01099"), c.advisoryIds());
    assertEquals("0d010400000000000000000000000000", c.teeTcbSvn2());
  }

  @Test
  void upToDateModule() throws Exception {
    AttestationClaims c = verify(s -> s.moduleIdentities = CollateralSpec.moduleIdentity("TDX_01",
        "{\"tcb\":{\"isvsvn\":11},\"tcbDate\":\"2025-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}"));
    assertEquals(TcbStatus.UP_TO_DATE, c.tcbStatus());
  }

  @Test
  void platformTdxComponentsFromIndexTwoStillCount() {
    assertEquals(Reason.TCB_LEVEL_NOT_FOUND, assertThrows(AttestationException.class,
        () -> verify(s -> s.tcbLevels = CollateralSpec.level("UpToDate", 11, 0, 5, "[]"))).reason());
  }

  @Test
  void missingModuleIdentityForTheMajorVersion() {
    assertEquals(Reason.TDX_MODULE_MISMATCH, assertThrows(AttestationException.class,
        () -> verify(s -> s.moduleIdentities = CollateralSpec.moduleIdentity("TDX_03", MODULE_LEVELS))).reason());
    assertEquals(Reason.TDX_MODULE_MISMATCH, assertThrows(AttestationException.class,
        () -> verify(s -> s.moduleIdentities = null)).reason());
  }

  @Test
  void moduleSvnBelowEveryModuleLevel() {
    assertEquals(Reason.TCB_LEVEL_NOT_FOUND, assertThrows(AttestationException.class,
        () -> verify(s -> s.moduleIdentities = CollateralSpec.moduleIdentity("TDX_01",
            "{\"tcb\":{\"isvsvn\":12},\"tcbDate\":\"2025-01-01T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}")))
        .reason());
  }
}
