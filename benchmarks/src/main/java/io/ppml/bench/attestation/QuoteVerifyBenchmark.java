package io.ppml.bench.attestation;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.dcap.Collateral;
import io.ppml.attestation.dcap.CollateralSource;
import io.ppml.attestation.dcap.DcapVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * DCAP verification of the real Sapphire Rapids v4 quote (resources tdx/, see the README there), quotes per
 * second on one thread. {@code signaturesAndChain}: parse, PCK chain to the pinned Intel root, QE report
 * signature and binding, quote signature, PCK extensions. {@code withCollateral}: additionally the root and
 * PCK CRLs, TCB info and QE identity issuer chains and signatures, all windows at 2023-07-01T01:00:00Z, FMSPC,
 * TDX module and QE identity, and the TCB level search, with collateral parsed once in setup. Intel's TCB
 * info of that date has no level for this platform's TDX microcode SVN, so every invocation runs all checks
 * and ends in the expected TCB_LEVEL_NOT_FOUND (verified in setup), as Intel's own library would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class QuoteVerifyBenchmark {
  private static final Instant COLLATERAL_VALID = Instant.parse("2023-07-01T01:00:00Z");

  private byte[] quote;
  private DcapVerifier chainOnly;
  private DcapVerifier withCollateral;

  @Setup
  public void setUp() throws AttestationException {
    quote = resource("gotdx_tdx_prod_quote_SPR_E4_v4.dat");
    Collateral collateral = Collateral.parse(resource("gotdx_sample_tcbInfo_response"),
        resource("gotdx_sample_qeIdentity_response"), resource("gotdx_tcbinfo_issuer_chain.pem"),
        resource("gotdx_qeidentity_issuer_chain.pem"), resource("gotdx_pckcrl"),
        resource("gotdx_pckcrl_issuer_chain.pem"), resource("gotdx_rootcrl.der"));
    Clock clock = Clock.fixed(COLLATERAL_VALID, ZoneOffset.UTC);
    chainOnly = DcapVerifier.builder().clock(clock).build();
    withCollateral = DcapVerifier.builder().clock(clock).collateral(CollateralSource.fixed(collateral)).build();
    chainOnly.verify(quote);
    if (!endsInMissingTcbLevel()) {
      throw new IllegalStateException("unexpected verification outcome with collateral");
    }
  }

  private boolean endsInMissingTcbLevel() {
    try {
      withCollateral.verify(quote);
      return false;
    } catch (AttestationException e) {
      return e.reason() == AttestationException.Reason.TCB_LEVEL_NOT_FOUND;
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = QuoteVerifyBenchmark.class.getResourceAsStream("tdx/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource tdx/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Benchmark
  public AttestationClaims signaturesAndChain() throws AttestationException {
    return chainOnly.verify(quote);
  }

  @Benchmark
  public boolean withCollateral() {
    return endsInMissingTcbLevel();
  }
}
