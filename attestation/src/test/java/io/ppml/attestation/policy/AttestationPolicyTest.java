package io.ppml.attestation.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.TcbStatus;
import io.ppml.core.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AttestationPolicyTest {

  private static final String MRTD = hex48('a');
  private static final String OTHER = hex48('e');
  private static final List<String> RTMRS = List.of(hex48('0'), hex48('1'), hex48('2'), hex48('3'));
  private static final String CONFIG = hex48('c');
  private static final String OWNER = hex48('d');
  private static final byte[] REPORT_DATA = filled(64, 7);

  /** A policy that accepts exactly {@link #claims()}. */
  private static final String ACCEPTING_YAML = """
      # every rule written out
      mrtd: ["%s"]
      rtmr0: ["%s"]
      rtmr1: ["%s"]
      rtmr2: ["%s"]
      rtmr3: ["%s"]
      mrconfigid: ["%s"]
      mrowner: ["%s"]
      allowDebug: false
      minimumTcbStatus: UpToDate
      acceptedAdvisoryIds: []
      allowSimulated: false
      """.formatted(MRTD, RTMRS.get(0), RTMRS.get(1), RTMRS.get(2), RTMRS.get(3), CONFIG, OWNER);

  private static String hex48(char c) {
    return String.valueOf(c).repeat(96);
  }

  private static byte[] filled(int n, int value) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) value);
    return b;
  }

  private static AttestationClaims claims() {
    return claims(false, false, TcbStatus.UP_TO_DATE, List.of(), MRTD, RTMRS);
  }

  private static AttestationClaims claims(boolean simulated, boolean debug, TcbStatus tcb, List<String> advisories,
      String mrtd, List<String> rtmrs) {
    return new AttestationClaims(4, simulated, tcb, advisories, debug, "03000500000000000000000000000000",
        hex48('5'), hex48('6'), "0000000000000000", debug ? "0100000000000000" : "0000000000000000",
        "e702060000000000", mrtd, CONFIG, OWNER, hex48('0'), rtmrs, HexFormat.of().formatHex(REPORT_DATA),
        "50806f000000");
  }

  private static AttestationPolicy policy(String yaml) throws InvalidPolicyException {
    return AttestationPolicy.parse(yaml, "test.yaml");
  }

  private static String replaceLine(String doc, String key, String line) {
    return doc.lines().map(l -> l.startsWith(key + ":") ? line : l)
        .reduce("", (a, b) -> a + b + "\n");
  }

  @Test
  void acceptsClaimsMatchingEveryRule() throws Exception {
    PolicyResult result = policy(ACCEPTING_YAML).evaluate(claims(), REPORT_DATA);
    assertTrue(result.accepted(), () -> result.failures().toString());
    assertEquals(List.of(), result.failures());
  }

  @Test
  void measurementValuesAreComparedCaseInsensitively() throws Exception {
    AttestationPolicy upper = policy(replaceLine(ACCEPTING_YAML, "mrtd", "mrtd: [\"" + MRTD.toUpperCase() + "\"]"));
    assertTrue(upper.evaluate(claims(), null).accepted());
  }

  @Test
  void denyAllNamesEveryMeasurementRuleWithNoConfiguredValues() {
    PolicyResult result = AttestationPolicy.denyAll().evaluate(claims(), null);
    assertFalse(result.accepted());
    assertEquals(List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner"),
        result.failedRules());
    PolicyFailure mrtd = result.failures().get(0);
    assertEquals(new PolicyFailure("mrtd", AttestationPolicy.NOTHING_ALLOWED, MRTD), mrtd);
  }

  @Test
  void absentMeasurementRuleAllowsNothing() throws Exception {
    AttestationPolicy noMrtd = policy(replaceLine(ACCEPTING_YAML, "mrtd", ""));
    PolicyResult result = noMrtd.evaluate(claims(), null);
    assertEquals(List.of(new PolicyFailure("mrtd", AttestationPolicy.NOTHING_ALLOWED, MRTD)), result.failures());
  }

  @Test
  void emptyListAllowsNothing() throws Exception {
    PolicyResult result = policy(replaceLine(ACCEPTING_YAML, "rtmr2", "rtmr2: []")).evaluate(claims(), null);
    assertEquals(List.of(new PolicyFailure("rtmr2", AttestationPolicy.NOTHING_ALLOWED, RTMRS.get(2))),
        result.failures());
  }

  @Test
  void wildcardAllowsAnyValue() throws Exception {
    AttestationPolicy any = policy(replaceLine(ACCEPTING_YAML, "mrtd", "mrtd: [\"*\"]"));
    assertTrue(any.evaluate(claims(false, false, TcbStatus.UP_TO_DATE, List.of(), OTHER, RTMRS), null).accepted());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner"})
  void eachMeasurementRuleRejectsAnUnlistedValue(String rule) throws Exception {
    AttestationPolicy p = policy(replaceLine(ACCEPTING_YAML, rule, rule + ": [\"" + OTHER + "\", \"" + hex48('f')
        + "\"]"));
    PolicyResult result = p.evaluate(claims(), null);
    assertEquals(1, result.failures().size(), result.failures()::toString);
    PolicyFailure f = result.failures().get(0);
    assertEquals(rule, f.rule());
    assertEquals("one of " + OTHER + ", " + hex48('f'), f.expected());
    String actual = switch (rule) {
      case "mrtd" -> MRTD;
      case "mrconfigid" -> CONFIG;
      case "mrowner" -> OWNER;
      default -> RTMRS.get(rule.charAt(4) - '0');
    };
    assertEquals(actual, f.actual());
  }

  @Test
  void rtmrRulesArePerRegister() throws Exception {
    // RTMR1's value listed under rtmr0 does not satisfy rtmr0.
    AttestationPolicy p = policy(replaceLine(ACCEPTING_YAML, "rtmr0", "rtmr0: [\"" + RTMRS.get(1) + "\"]"));
    assertEquals(List.of("rtmr0"), p.evaluate(claims(), null).failedRules());
  }

  @Test
  void debugTdRejectedUnlessAllowed() throws Exception {
    AttestationClaims debug = claims(false, true, TcbStatus.UP_TO_DATE, List.of(), MRTD, RTMRS);
    PolicyResult rejected = policy(ACCEPTING_YAML).evaluate(debug, null);
    assertEquals(List.of("allowDebug"), rejected.failedRules());
    assertTrue(policy(replaceLine(ACCEPTING_YAML, "allowDebug", "allowDebug: true"))
        .evaluate(debug, null).accepted());
    // Default when the key is absent: false.
    assertEquals(List.of("allowDebug"),
        policy(replaceLine(ACCEPTING_YAML, "allowDebug", "")).evaluate(debug, null).failedRules());
  }

  @Test
  void tcbStatusBelowMinimumFails() throws Exception {
    AttestationClaims outOfDate = claims(false, false, TcbStatus.OUT_OF_DATE, List.of(), MRTD, RTMRS);
    PolicyResult result = policy(ACCEPTING_YAML).evaluate(outOfDate, null);
    assertEquals(List.of(new PolicyFailure("minimumTcbStatus", "at least UpToDate", "OutOfDate")),
        result.failures());
    assertTrue(policy(replaceLine(ACCEPTING_YAML, "minimumTcbStatus", "minimumTcbStatus: OutOfDate"))
        .evaluate(outOfDate, null).accepted());
    AttestationClaims hardening = claims(false, false, TcbStatus.SW_HARDENING_NEEDED, List.of(), MRTD, RTMRS);
    assertEquals(List.of("minimumTcbStatus"), policy(ACCEPTING_YAML).evaluate(hardening, null).failedRules());
    assertTrue(policy(replaceLine(ACCEPTING_YAML, "minimumTcbStatus", "minimumTcbStatus: SWHardeningNeeded"))
        .evaluate(hardening, null).accepted());
  }

  @Test
  void unknownTcbStatusFailsUnlessMinimumIsUnknown() throws Exception {
    AttestationClaims noCollateral = claims(false, false, TcbStatus.UNKNOWN, List.of(), MRTD, RTMRS);
    assertEquals(List.of(new PolicyFailure("minimumTcbStatus", "at least UpToDate", "Unknown")),
        policy(ACCEPTING_YAML).evaluate(noCollateral, null).failures());
    assertEquals(List.of("minimumTcbStatus"),
        policy(replaceLine(ACCEPTING_YAML, "minimumTcbStatus", "minimumTcbStatus: OutOfDateConfigurationNeeded"))
            .evaluate(noCollateral, null).failedRules());
    AttestationPolicy unknownOk = policy(replaceLine(ACCEPTING_YAML, "minimumTcbStatus", "minimumTcbStatus: Unknown"));
    assertTrue(unknownOk.evaluate(noCollateral, null).accepted());
    PolicyResult revoked =
        unknownOk.evaluate(claims(false, false, TcbStatus.REVOKED, List.of(), MRTD, RTMRS), null);
    assertEquals(List.of(new PolicyFailure("minimumTcbStatus", "any status except Revoked", "Revoked")),
        revoked.failures());
  }

  @Test
  void advisoriesMustAllBeAccepted() throws Exception {
    AttestationClaims withAdvisories = claims(false, false, TcbStatus.SW_HARDENING_NEEDED,
        List.of("INTEL-SA-00837", "INTEL-SA-00615"), MRTD, RTMRS);
    String base = replaceLine(ACCEPTING_YAML, "minimumTcbStatus", "minimumTcbStatus: SWHardeningNeeded");
    assertEquals(List.of(new PolicyFailure("acceptedAdvisoryIds", "no advisories", "INTEL-SA-00837, INTEL-SA-00615")),
        policy(base).evaluate(withAdvisories, null).failures());
    AttestationPolicy one = policy(replaceLine(base, "acceptedAdvisoryIds", "acceptedAdvisoryIds: [intel-sa-00837]"));
    assertEquals(List.of(new PolicyFailure("acceptedAdvisoryIds", "only INTEL-SA-00837", "INTEL-SA-00615")),
        one.evaluate(withAdvisories, null).failures());
    assertTrue(policy(replaceLine(base, "acceptedAdvisoryIds",
        "acceptedAdvisoryIds: [INTEL-SA-00837, INTEL-SA-00615]")).evaluate(withAdvisories, null).accepted());
  }

  @Test
  void simulatedEvidenceRejectedUnlessAllowed() throws Exception {
    AttestationClaims simulated = claims(true, false, TcbStatus.UP_TO_DATE, List.of(), MRTD, RTMRS);
    AttestationPolicy strict = policy(ACCEPTING_YAML);
    assertEquals(List.of("allowSimulated"), strict.evaluate(simulated, null).failedRules());
    assertFalse(strict.allowsSimulated());
    AttestationPolicy dev = policy(replaceLine(ACCEPTING_YAML, "allowSimulated", "allowSimulated: true"));
    assertTrue(dev.allowsSimulated());
    assertTrue(dev.evaluate(simulated, null).accepted());
    assertEquals(List.of("allowSimulated", "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner"),
        AttestationPolicy.denyAll().evaluate(simulated, null).failedRules());
  }

  @Test
  void reportDataMustMatchWhenGiven() throws Exception {
    AttestationPolicy p = policy(ACCEPTING_YAML);
    byte[] other = filled(64, 8);
    assertEquals(List.of(new PolicyFailure("reportData", HexFormat.of().formatHex(other),
        HexFormat.of().formatHex(REPORT_DATA))), p.evaluate(claims(), other).failures());
    assertTrue(p.evaluate(claims(), null).accepted());
    assertThrows(IllegalArgumentException.class, () -> p.evaluate(claims(), new byte[32]));
  }

  @Test
  void everyFailedRuleIsListed() throws Exception {
    AttestationClaims bad = claims(true, true, TcbStatus.OUT_OF_DATE, List.of("INTEL-SA-00001"), OTHER,
        List.of(OTHER, OTHER, OTHER, OTHER));
    PolicyResult result = policy(ACCEPTING_YAML).evaluate(bad, filled(64, 9));
    assertEquals(List.of("allowSimulated", "allowDebug", "minimumTcbStatus", "acceptedAdvisoryIds", "mrtd",
        "rtmr0", "rtmr1", "rtmr2", "rtmr3", "reportData"), result.failedRules());
    assertEquals(new PolicyFailure("mrtd", MRTD, OTHER), result.failures().get(4));
    assertEquals(new PolicyFailure("rtmr3", RTMRS.get(3), OTHER), result.failures().get(8));
  }

  @Test
  void malformedClaimedMeasurementFailsEvenUnderWildcard() throws Exception {
    AttestationPolicy any = policy(replaceLine(ACCEPTING_YAML, "mrtd", "mrtd: [\"*\"]"));
    String short47 = "ab".repeat(47);
    PolicyResult result = any.evaluate(claims(false, false, TcbStatus.UP_TO_DATE, List.of(), short47, RTMRS), null);
    assertEquals(List.of("mrtd"), result.failedRules());
  }

  @Test
  void jsonAndYamlDescribeTheSamePolicy(@TempDir Path dir) throws Exception {
    String json = """
        {"mrtd": ["%s"], "rtmr0": ["*"], "rtmr1": ["*"], "rtmr2": ["*"], "rtmr3": ["%s"],
         "mrconfigid": ["*"], "mrowner": ["*"], "allowDebug": false, "minimumTcbStatus": "OutOfDate",
         "acceptedAdvisoryIds": ["INTEL-SA-00001"], "allowSimulated": true}
        """.formatted(MRTD, RTMRS.get(3));
    String yaml = """
        mrtd:
          - "%s"
        rtmr0: ["*"]
        rtmr1: ["*"]
        rtmr2: ["*"]
        rtmr3: ["%s"]
        mrconfigid: ["*"]
        mrowner: ["*"]
        allowDebug: false
        minimumTcbStatus: OutOfDate
        acceptedAdvisoryIds:
          - INTEL-SA-00001
        allowSimulated: true
        """.formatted(MRTD, RTMRS.get(3));
    Files.writeString(dir.resolve("p.json"), json);
    Files.writeString(dir.resolve("p.yaml"), yaml);
    for (Path file : List.of(dir.resolve("p.json"), dir.resolve("p.yaml"))) {
      AttestationPolicy p = AttestationPolicy.load(file);
      assertEquals(file.toString(), p.source());
      assertEquals(TcbStatus.OUT_OF_DATE, p.minimumTcbStatus());
      AttestationClaims fine = claims(true, false, TcbStatus.OUT_OF_DATE, List.of("INTEL-SA-00001"), MRTD, RTMRS);
      assertTrue(p.evaluate(fine, REPORT_DATA).accepted(), file::toString);
      AttestationClaims wrongRtmr3 = claims(true, false, TcbStatus.OUT_OF_DATE, List.of(), MRTD,
          List.of(RTMRS.get(0), RTMRS.get(1), RTMRS.get(2), OTHER));
      assertEquals(List.of("rtmr3"), p.evaluate(wrongRtmr3, null).failedRules(), file::toString);
    }
  }

  @Test
  void defaultsWhenOnlyMeasurementsAreGiven() throws Exception {
    AttestationPolicy p = policy("mrtd: ['*']\nrtmr0: ['*']\nrtmr1: ['*']\nrtmr2: ['*']\nrtmr3: ['*']\n"
        + "mrconfigid: ['*']\nmrowner: ['*']\n");
    assertFalse(p.allowsDebug());
    assertFalse(p.allowsSimulated());
    assertEquals(TcbStatus.UP_TO_DATE, p.minimumTcbStatus());
    assertTrue(p.evaluate(claims(), null).accepted());
    AttestationClaims advisory = claims(false, false, TcbStatus.UP_TO_DATE, List.of("INTEL-SA-00001"), MRTD, RTMRS);
    assertEquals(List.of("acceptedAdvisoryIds"), p.evaluate(advisory, null).failedRules());
  }

  @Test
  void unknownKeyIsRejectedByName() {
    InvalidPolicyException e = assertThrows(InvalidPolicyException.class,
        () -> policy(ACCEPTING_YAML + "allowDebugg: true\n"));
    assertEquals("allowDebugg", e.key());
    assertEquals("test.yaml", e.source());
    assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    InvalidPolicyException json = assertThrows(InvalidPolicyException.class,
        () -> AttestationPolicy.parse("{\"MRTD\": [\"*\"]}", "p.json"));
    assertEquals("MRTD", json.key());
  }

  @Test
  void duplicateKeyIsRejected() {
    InvalidPolicyException yaml = assertThrows(InvalidPolicyException.class,
        () -> policy(ACCEPTING_YAML + "mrtd: [\"*\"]\n"));
    assertEquals("mrtd", yaml.key());
    InvalidPolicyException json = assertThrows(InvalidPolicyException.class,
        () -> AttestationPolicy.parse("{\"allowDebug\": false, \"allowDebug\": true}", "p.json"));
    assertEquals("allowDebug", json.key());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "mrtd: \"*\"",                     // not a list
      "mrtd: [\"*\", \"%s\"]",           // wildcard mixed with values
      "mrtd: [\"abcd\"]",                // wrong length
      "mrtd: [\"%sff\"]",                // 49 bytes
      "mrtd: [\"0x%s\"]",                // prefix not accepted
      "mrtd: [%s]",                      // not a string (YAML reads a number or fails)
  })
  void malformedMeasurementListIsRejectedNamingTheKey(String line) {
    String doc = line.contains("%s") ? line.formatted(MRTD) : line;
    if (line.equals("mrtd: [%s]")) {
      doc = "mrtd: [" + "1".repeat(96) + "]";
    }
    String text = doc;
    InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> policy(text));
    assertEquals("mrtd", e.key());
  }

  @Test
  void malformedScalarRulesAreRejectedNamingTheKey() {
    assertEquals("allowDebug",
        assertThrows(InvalidPolicyException.class, () -> policy("allowDebug: \"no\"")).key());
    assertEquals("allowSimulated",
        assertThrows(InvalidPolicyException.class, () -> policy("allowSimulated: 1")).key());
    assertEquals("minimumTcbStatus",
        assertThrows(InvalidPolicyException.class, () -> policy("minimumTcbStatus: uptodate")).key());
    assertEquals("minimumTcbStatus",
        assertThrows(InvalidPolicyException.class, () -> policy("minimumTcbStatus: Revoked")).key());
    assertEquals("acceptedAdvisoryIds",
        assertThrows(InvalidPolicyException.class, () -> policy("acceptedAdvisoryIds: INTEL-SA-1")).key());
  }

  @Test
  void unreadableDocumentsAreRejected() {
    for (String text : List.of("", "# only a comment\n", "[1, 2]", "{\"mrtd\": [", "mrtd: [\n  - x: :")) {
      InvalidPolicyException e = assertThrows(InvalidPolicyException.class, () -> policy(text), text);
      assertEquals(null, e.key(), text);
    }
  }
}
