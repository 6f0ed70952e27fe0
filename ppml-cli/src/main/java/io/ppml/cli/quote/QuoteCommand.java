package io.ppml.cli.quote;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.dcap.DcapVerifier;
import io.ppml.attestation.dcap.DirectoryCollateralSource;
import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.policy.AttestationPolicy;
import io.ppml.attestation.policy.InvalidPolicyException;
import io.ppml.attestation.policy.PolicyFailure;
import io.ppml.attestation.policy.PolicyResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ppml quote verify|simulate}: check a TDX quote against DCAP and a policy; make simulated quotes. */
@Command(
    name = "quote",
    mixinStandardHelpOptions = true,
    description = "Verify TDX quotes, or make simulated ones for development.",
    subcommands = {QuoteCommand.Verify.class, QuoteCommand.Simulate.class})
public final class QuoteCommand implements Runnable {

  /** Exit code of a quote that verified but that the policy rejected. */
  static final int POLICY_REJECTED = 2;
  /** Exit code of a quote that did not verify or could not be parsed. */
  static final int NOT_VERIFIED = 1;

  private static final int MAX_QUOTE_BYTES = 1 << 20;
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: verify or simulate");
  }

  /**
   * Prints one JSON object describing the quote: whether it verified (signatures, chain, and collateral when
   * given), its claims, and the policy's verdict with every failed rule.
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verify a TDX quote (DCAP) and apply an attestation policy; prints one JSON object.",
        "Exit 0: verified and accepted; 2: verified but rejected by the policy (without --policy the deny-all"
            + " policy applies); 1: not verified or malformed."})
  static final class Verify implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The quote (binary, as read from configfs-tsm outblob).")
    Path quoteFile;

    @Option(names = "--collateral", paramLabel = "DIR",
        description = "Intel PCS collateral directory (tcb_info.json, qe_identity.json, issuer chains, CRLs);"
            + " without it the TCB status is Unknown.")
    Path collateralDir;

    @Option(names = "--at", paramLabel = "INSTANT",
        description = "Verify as of this instant (ISO-8601, e.g. 2023-07-01T01:00:00Z); default now.")
    Instant at;

    @Option(names = "--policy", paramLabel = "FILE", description = "Attestation policy (YAML or JSON).")
    Path policyFile;

    @Option(names = "--report-data", paramLabel = "HEX",
        description = "Expected REPORTDATA, 64 bytes as 128 hex digits.")
    String reportDataHex;

    @Option(names = "--simulated-root", paramLabel = "PEM",
        description = "Also accept quotes chaining to this simulated TDX root (development only).")
    Path simulatedRootFile;

    @Override
    public Integer call() throws IOException {
      // Arguments are checked before the quote is looked at, so a typo is a usage error, not a verdict.
      AttestationPolicy policy = policy();
      byte[] expectedReportData = reportDataHex == null ? null : reportData(spec, reportDataHex);
      X509Certificate simulatedRoot = simulatedRootFile == null ? null : certificate(simulatedRootFile);
      ObjectNode out = JSON.createObjectNode();
      int exit;
      try {
        byte[] quote = readQuote(quoteFile);
        DcapVerifier.Builder verifier = DcapVerifier.builder()
            .clock(at == null ? Clock.systemUTC() : Clock.fixed(at, ZoneOffset.UTC));
        if (simulatedRoot != null) {
          verifier.simulatedRoot(simulatedRoot);
        }
        if (collateralDir != null) {
          verifier.collateral(new DirectoryCollateralSource(collateralDir));
        }
        AttestationClaims claims = verifier.build().verify(quote);
        PolicyResult result = policy.evaluate(claims, expectedReportData);
        claims(out, claims);
        out.set("policy", policyJson(policy, result));
        exit = result.accepted() ? 0 : POLICY_REJECTED;
      } catch (AttestationException e) {
        out.put("verified", false);
        out.set("policy", policyJson(policy, null));
        ObjectNode error = out.putObject("error");
        error.put("reason", e.reason().name());
        error.put("message", e.getMessage());
        exit = NOT_VERIFIED;
      }
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      stdout.flush();
      return exit;
    }

    // Real quotes are a few KiB; refusing anything large keeps a wrong file from being read into memory.
    private static byte[] readQuote(Path file) throws IOException {
      if (Files.size(file) > MAX_QUOTE_BYTES) {
        throw new AttestationException(AttestationException.Reason.MALFORMED_QUOTE,
            file + " is larger than " + MAX_QUOTE_BYTES + " bytes: not a quote");
      }
      return Files.readAllBytes(file);
    }

    private AttestationPolicy policy() throws IOException {
      if (policyFile == null) {
        return AttestationPolicy.denyAll();
      }
      try {
        return AttestationPolicy.load(policyFile);
      } catch (InvalidPolicyException | NoSuchFileException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--policy: " + e.getMessage(), e, null,
            policyFile.toString());
      }
    }

    private X509Certificate certificate(Path pem) {
      try (InputStream in = Files.newInputStream(pem)) {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      } catch (IOException | CertificateException | ClassCastException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--simulated-root: " + pem + " is not a readable PEM certificate", e, null, pem.toString());
      }
    }

    private static void claims(ObjectNode out, AttestationClaims claims) {
      out.put("verified", true);
      out.put("version", claims.quoteVersion());
      out.put("tcbStatus", claims.tcbStatus().pcsName());
      ArrayNode advisories = out.putArray("advisoryIds");
      claims.advisoryIds().forEach(advisories::add);
      out.put("debug", claims.debug());
      out.put("mrtd", claims.mrTd());
      ArrayNode rtmr = out.putArray("rtmr");
      claims.rtmrs().forEach(rtmr::add);
      out.put("mrconfigid", claims.mrConfigId());
      out.put("mrowner", claims.mrOwner());
      out.put("reportData", claims.reportData());
      out.put("fmspc", claims.fmspc());
      out.put("simulated", claims.simulated());
    }

    /** The policy's verdict; {@code result} null when verification failed and the policy was not applied. */
    private static ObjectNode policyJson(AttestationPolicy policy, PolicyResult result) {
      ObjectNode node = JSON.createObjectNode();
      node.put("source", policy.source());
      node.put("evaluated", result != null);
      node.put("accepted", result != null && result.accepted());
      ArrayNode failures = node.putArray("failures");
      for (PolicyFailure f : result == null ? List.<PolicyFailure>of() : result.failures()) {
        failures.addObject().put("rule", f.rule()).put("expected", f.expected()).put("actual", f.actual());
      }
      return node;
    }
  }

  /** Writes a simulated quote; development only, and says so on stderr. */
  @Command(
      name = "simulate",
      mixinStandardHelpOptions = true,
      description = {
        "Write a SIMULATED TDX quote (development only: signed by a software root, rejected by every default"
            + " policy).",
        "The simulated platform lives in --state DIR (created on first use; holds private keys);"
            + " verify its quotes with --simulated-root DIR/" + SimulatedTdx.ROOT_CERTIFICATE_FILE + "."})
  static final class Simulate implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--state", paramLabel = "DIR", required = true,
        description = "Directory of the simulated platform's state.")
    Path stateDir;

    @Option(names = "--report-data", paramLabel = "HEX",
        description = "REPORTDATA, 64 bytes as 128 hex digits; default all zero.")
    String reportDataHex;

    @Option(names = "--collateral-out", paramLabel = "DIR",
        description = "Also write matching signed collateral (valid from now for 30 days) into DIR.")
    Path collateralOut;

    @Parameters(paramLabel = "OUT", description = "Where to write the quote.")
    Path out;

    @Override
    public Integer call() throws IOException {
      byte[] reportData = reportDataHex == null ? new byte[64] : reportData(spec, reportDataHex);
      SimulatedTdx platform = SimulatedTdx.loadOrCreate(stateDir, Clock.systemUTC());
      PrintWriter stderr = spec.commandLine().getErr();
      stderr.println("WARNING: SIMULATED TDX QUOTE. It proves nothing about any machine and is for development"
          + " only; only a policy with allowSimulated: true accepts it.");
      Files.write(out, platform.quote(reportData));
      if (collateralOut != null) {
        platform.writeCollateral(collateralOut, Instant.now());
      }
      stderr.println("wrote " + out + "; verify with --simulated-root "
          + stateDir.resolve(SimulatedTdx.ROOT_CERTIFICATE_FILE));
      stderr.flush();
      return 0;
    }
  }

  private static byte[] reportData(CommandLine.Model.CommandSpec spec, String hex) {
    byte[] bytes;
    try {
      bytes = HexFormat.of().parseHex(hex.trim());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--report-data: not hex");
    }
    if (bytes.length != 64) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--report-data: expected 64 bytes (128 hex digits), got " + bytes.length);
    }
    return bytes;
  }
}
