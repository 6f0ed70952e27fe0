package io.ppml.cli.quote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ppml.cli.PpmlCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuoteCommandTest {

  private static final String AT = "2023-07-01T01:00:00Z";
  private static final String MRTD =
      "6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb";
  private static final String RTMR0 =
      "2927da70461cd63266f43230cc1849c03ef25ebe490062a801d8fcc80af42976823adf08f833c1e50b51779c6593f32a";
  private static final String REPORT_DATA = "6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545"
      + "eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113";

  @TempDir static Path fixtures;
  private static Path quote;
  private static Path collateral;

  @BeforeAll
  static void copyFixtures() throws IOException {
    quote = copy("gotdx_tdx_prod_quote_SPR_E4_v4.dat", fixtures);
    collateral = fixtures.resolve("collateral");
    Files.createDirectories(collateral);
    for (String name : List.of("tcb_info.json", "qe_identity.json", "tcb_info_issuer_chain.pem",
        "qe_identity_issuer_chain.pem", "pck_crl.der", "pck_crl_issuer_chain.pem", "root_crl.der")) {
      copy("collateral-50806f000000/" + name, collateral);
    }
  }

  private static Path copy(String resource, Path dir) throws IOException {
    try (InputStream in = QuoteCommandTest.class.getResourceAsStream("/tdx/" + resource)) {
      Path target = dir.resolve(Path.of(resource).getFileName().toString());
      Files.write(target, in.readAllBytes());
      return target;
    }
  }

  /** The exit code, stdout and stderr of one run. */
  private record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return new ObjectMapper().readTree(out);
    }
  }

  private static synchronized Run ppml(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = PpmlCommand.execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  private static Path policy(Path dir, String text) throws IOException {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, text);
    return file;
  }

  /** Allows the real quote's MRTD and RTMR0; the rest written out as wildcards (default deny otherwise). */
  private static String realQuotePolicy(String minimumTcbStatus) {
    return """
        mrtd: ["%s"]
        rtmr0: ["%s"]
        rtmr1: ["*"]
        rtmr2: ["*"]
        rtmr3: ["*"]
        mrconfigid: ["*"]
        mrowner: ["*"]
        minimumTcbStatus: %s
        """.formatted(MRTD, RTMR0, minimumTcbStatus);
  }

  private static List<String> failedRules(JsonNode json) {
    List<String> rules = new ArrayList<>();
    json.path("policy").path("failures").forEach(f -> rules.add(f.path("rule").asText()));
    return rules;
  }

  @Test
  void realQuoteAcceptedByAPolicyAllowingItsMeasurementsExitsZero(@TempDir Path dir) throws Exception {
    // Without collateral the TCB status is Unknown, which this policy explicitly accepts.
    Run run = ppml("quote", "verify", quote.toString(), "--at", AT,
        "--policy", policy(dir, realQuotePolicy("Unknown")).toString(), "--report-data", REPORT_DATA);
    assertEquals(0, run.exit(), run.out() + run.err());
    JsonNode json = run.json();
    assertTrue(json.path("verified").asBoolean());
    assertEquals(4, json.path("version").asInt());
    assertEquals("Unknown", json.path("tcbStatus").asText());
    assertFalse(json.path("debug").asBoolean());
    assertEquals(MRTD, json.path("mrtd").asText());
    assertEquals(4, json.path("rtmr").size());
    assertEquals(RTMR0, json.path("rtmr").get(0).asText());
    assertEquals(REPORT_DATA, json.path("reportData").asText());
    assertEquals("50806f000000", json.path("fmspc").asText());
    assertFalse(json.path("simulated").asBoolean());
    assertTrue(json.path("policy").path("accepted").asBoolean());
    assertEquals(0, json.path("policy").path("failures").size());
    assertFalse(json.has("error"));
  }

  @Test
  void realQuoteWithItsCollateralHasNoMatchingTcbLevel(@TempDir Path dir) throws Exception {
    // The collateral verifies at AT, but the platform's TEE_TCB_SVN (03 00 04 ...) is below every TCB level
    // of that TCB info (which require 03 00 05 ...): Intel's verifier calls this TCB not supported.
    Run run = ppml("quote", "verify", quote.toString(), "--collateral", collateral.toString(), "--at", AT,
        "--policy", policy(dir, realQuotePolicy("OutOfDate")).toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    JsonNode json = run.json();
    assertFalse(json.path("verified").asBoolean());
    assertEquals("TCB_LEVEL_NOT_FOUND", json.path("error").path("reason").asText());
    assertFalse(json.path("policy").path("evaluated").asBoolean());
    assertFalse(json.path("policy").path("accepted").asBoolean());
  }

  @Test
  void realQuoteWithoutPolicyIsRejectedByTheDenyAllDefault() throws Exception {
    Run run = ppml("quote", "verify", quote.toString(), "--at", AT);
    assertEquals(2, run.exit(), run.out() + run.err());
    JsonNode json = run.json();
    assertTrue(json.path("verified").asBoolean());
    assertFalse(json.path("policy").path("accepted").asBoolean());
    assertEquals(List.of("minimumTcbStatus", "mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner"),
        failedRules(json));
    JsonNode mrtd = json.path("policy").path("failures").get(1);
    assertEquals("no allowed values configured", mrtd.path("expected").asText());
    assertEquals(MRTD, mrtd.path("actual").asText());
  }

  @Test
  void withoutCollateralTheTcbStatusIsUnknownAndTheDefaultMinimumFails(@TempDir Path dir) throws Exception {
    Run strict = ppml("quote", "verify", quote.toString(), "--at", AT,
        "--policy", policy(dir, realQuotePolicy("UpToDate")).toString());
    assertEquals(2, strict.exit(), strict.out() + strict.err());
    assertEquals("Unknown", strict.json().path("tcbStatus").asText());
    assertEquals(List.of("minimumTcbStatus"), failedRules(strict.json()));

    Run lenient = ppml("quote", "verify", quote.toString(), "--at", AT,
        "--policy", policy(dir, realQuotePolicy("Unknown")).toString());
    assertEquals(0, lenient.exit(), lenient.out() + lenient.err());
  }

  @Test
  void wrongReportDataIsAPolicyRejection(@TempDir Path dir) throws Exception {
    Run run = ppml("quote", "verify", quote.toString(), "--at", AT,
        "--policy", policy(dir, realQuotePolicy("Unknown")).toString(), "--report-data", "00".repeat(64));
    assertEquals(2, run.exit(), run.out() + run.err());
    JsonNode failure = run.json().path("policy").path("failures").get(0);
    assertEquals("reportData", failure.path("rule").asText());
    assertEquals("00".repeat(64), failure.path("expected").asText());
    assertEquals(REPORT_DATA, failure.path("actual").asText());
  }

  @Test
  void corruptedQuoteExitsOneWithTheReason(@TempDir Path dir) throws Exception {
    byte[] bytes = Files.readAllBytes(quote);
    bytes[48 + 136] ^= 0x01; // first byte of MRTD: the quote signature no longer verifies
    Path corrupted = Files.write(dir.resolve("corrupted.dat"), bytes);
    Run run = ppml("quote", "verify", corrupted.toString(), "--collateral", collateral.toString(), "--at", AT,
        "--policy", policy(dir, realQuotePolicy("UpToDate")).toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    JsonNode json = run.json();
    assertFalse(json.path("verified").asBoolean());
    assertEquals("QUOTE_SIGNATURE_INVALID", json.path("error").path("reason").asText());
    assertFalse(json.path("policy").path("accepted").asBoolean());
  }

  @Test
  void truncatedQuoteExitsOneAsMalformed(@TempDir Path dir) throws Exception {
    Path truncated = Files.write(dir.resolve("truncated.dat"), Arrays.copyOf(Files.readAllBytes(quote), 600));
    Run run = ppml("quote", "verify", truncated.toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    assertEquals("MALFORMED_QUOTE", run.json().path("error").path("reason").asText());
  }

  @Test
  void expiredCollateralAtTheRealTimeExitsOne() throws Exception {
    Run run = ppml("quote", "verify", quote.toString(), "--collateral", collateral.toString());
    assertEquals(1, run.exit(), run.out() + run.err());
    String reason = run.json().path("error").path("reason").asText();
    assertTrue(reason.equals("COLLATERAL_EXPIRED") || reason.equals("CERTIFICATE_EXPIRED"), reason);
  }

  @Test
  void simulatedQuoteVerifiesOnlyWithItsRootAndPassesOnlyAPolicyAllowingSimulation(@TempDir Path dir)
      throws Exception {
    Path state = dir.resolve("sim");
    Path simQuote = dir.resolve("sim-quote.dat");
    Path simCollateral = dir.resolve("sim-collateral");
    String reportData = "ab".repeat(64);
    Run simulate = ppml("quote", "simulate", "--state", state.toString(), "--report-data", reportData,
        "--collateral-out", simCollateral.toString(), simQuote.toString());
    assertEquals(0, simulate.exit(), simulate.err());
    assertTrue(simulate.err().contains("SIMULATED"));
    Path root = state.resolve("simulated-root.pem");

    Run untrusted = ppml("quote", "verify", simQuote.toString());
    assertEquals(1, untrusted.exit(), untrusted.out() + untrusted.err());
    assertEquals("UNTRUSTED_ROOT", untrusted.json().path("error").path("reason").asText());

    Run denied = ppml("quote", "verify", simQuote.toString(), "--simulated-root", root.toString(),
        "--collateral", simCollateral.toString());
    assertEquals(2, denied.exit(), denied.out() + denied.err());
    JsonNode deniedJson = denied.json();
    assertTrue(deniedJson.path("verified").asBoolean());
    assertTrue(deniedJson.path("simulated").asBoolean());
    assertEquals("UpToDate", deniedJson.path("tcbStatus").asText());
    assertEquals(reportData, deniedJson.path("reportData").asText());
    assertTrue(failedRules(deniedJson).contains("allowSimulated"));

    String mrtd = deniedJson.path("mrtd").asText();
    String allowAll = """
        mrtd: ["%s"]
        rtmr0: ["*"]
        rtmr1: ["*"]
        rtmr2: ["*"]
        rtmr3: ["*"]
        mrconfigid: ["*"]
        mrowner: ["*"]
        """.formatted(mrtd);
    Run notSimulation = ppml("quote", "verify", simQuote.toString(), "--simulated-root", root.toString(),
        "--collateral", simCollateral.toString(), "--policy", policy(dir, allowAll).toString());
    assertEquals(2, notSimulation.exit());
    assertEquals(List.of("allowSimulated"), failedRules(notSimulation.json()));

    Run accepted = ppml("quote", "verify", simQuote.toString(), "--simulated-root", root.toString(),
        "--collateral", simCollateral.toString(), "--report-data", reportData,
        "--policy", policy(dir, allowAll + "allowSimulated: true\n").toString());
    assertEquals(0, accepted.exit(), accepted.out() + accepted.err());

    // A second simulate reuses the persisted platform: same root, same MRTD.
    Path second = dir.resolve("second.dat");
    assertEquals(0, ppml("quote", "simulate", "--state", state.toString(), second.toString()).exit());
    Run again = ppml("quote", "verify", second.toString(), "--simulated-root", root.toString());
    assertEquals(mrtd, again.json().path("mrtd").asText());
    assertEquals("00".repeat(64), again.json().path("reportData").asText());
  }

  @Test
  void badArgumentsAreUsageErrors(@TempDir Path dir) throws Exception {
    assertEquals(2, ppml("quote", "verify", quote.toString(), "--report-data", "abcd").exit());
    assertEquals(2, ppml("quote", "verify", quote.toString(), "--report-data", "zz".repeat(64)).exit());
    Run typo = ppml("quote", "verify", quote.toString(), "--policy", policy(dir, "mrdt: ['*']\n").toString());
    assertEquals(2, typo.exit());
    assertTrue(typo.err().contains("mrdt"));
    assertEquals("", typo.out());
    assertEquals(2, ppml("quote", "verify", quote.toString(), "--at", "yesterday").exit());
    assertEquals(2, ppml("quote", "verify").exit());
    assertEquals(1, ppml("quote", "verify", dir.resolve("missing.dat").toString()).exit());
  }
}
