package io.ppml.attestation.tdx;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.dcap.Collateral;
import io.ppml.attestation.dcap.CollateralSource;
import io.ppml.attestation.dcap.DcapVerifier;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Hostile input: random bytes and mutations of the real quotes (byte flips, truncations, length-field
 * edits) must only ever raise {@link AttestationException} from parse and verify, within a generous time
 * limit and without allocating more than a bound per try. 10,500 tries in total.
 */
class QuoteRobustnessProperties {
  private static final List<byte[]> REAL = List.of(TdxFixtures.bytes(TdxFixtures.V4_QUOTE),
      TdxFixtures.bytes(TdxFixtures.V5_QUOTE), TdxFixtures.bytes(TdxFixtures.CCEL_QUOTE));
  private static final Duration PER_TRY = Duration.ofSeconds(10);
  /** Far above what one verification needs (tens of KiB) and far below a hostile length's allocation. */
  private static final long MAX_ALLOCATED_BYTES = 64L << 20;

  private static final DcapVerifier WITHOUT_COLLATERAL = DcapVerifier.builder()
      .clock(Clock.fixed(TdxFixtures.ALL_PCK_VALID, ZoneOffset.UTC)).build();
  private static final DcapVerifier WITH_COLLATERAL = withRealCollateral();

  private static DcapVerifier withRealCollateral() {
    try {
      Collateral c = TdxFixtures.v4Collateral();
      return DcapVerifier.builder().clock(Clock.fixed(TdxFixtures.V4_COLLATERAL_VALID, ZoneOffset.UTC))
          .collateral(CollateralSource.fixed(c)).build();
    } catch (AttestationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code body}; only AttestationException may escape; bounded time and allocation. */
  private static void onlyAttestationException(Body body) {
    assertTimeoutPreemptively(PER_TRY, () -> {
      com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long tid = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(tid);
      try {
        body.run();
      } catch (AttestationException expected) {
        // the only acceptable failure
      }
      long allocated = mx.getThreadAllocatedBytes(tid) - before;
      assertTrue(allocated < MAX_ALLOCATED_BYTES, "allocated " + allocated + " bytes");
    });
  }

  @FunctionalInterface
  interface Body {
    void run() throws AttestationException;
  }

  private static void parseAndVerify(byte[] q, DcapVerifier verifier) {
    onlyAttestationException(() -> {
      TdxQuote.parse(q);
      verifier.verify(q);
    });
  }

  @Property(tries = 2500)
  void randomBytes(@ForAll("random") byte[] q) {
    parseAndVerify(q, WITHOUT_COLLATERAL);
  }

  @Provide
  Arbitrary<byte[]> random() {
    Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMaxSize(6000);
    // Random bytes behind a valid v4/v5 TDX header prefix reach the deeper parsing code.
    Arbitrary<byte[]> headed = Combinators.combine(Arbitraries.of(4, 5), noise).as((v, tail) -> {
      byte[] q = Arrays.copyOf(REAL.get(0), Math.max(8, tail.length));
      System.arraycopy(tail, 0, q, 8, Math.max(0, Math.min(tail.length, q.length) - 8));
      q[0] = (byte) (int) v;
      return q;
    });
    return Arbitraries.oneOf(noise, headed);
  }

  @Property(tries = 3000)
  void byteFlips(@ForAll("flipped") byte[] q) {
    parseAndVerify(q, WITHOUT_COLLATERAL);
  }

  @Provide
  Arbitrary<byte[]> flipped() {
    return Combinators.combine(Arbitraries.of(REAL), Arbitraries.integers().between(0, 1 << 30).list().ofMinSize(1)
        .ofMaxSize(8), Arbitraries.bytes().filter(b -> b != 0)).as((real, offsets, mask) -> {
          byte[] q = real.clone();
          for (int off : offsets) {
            q[off % q.length] ^= mask;
          }
          return q;
        });
  }

  @Property(tries = 1500)
  void truncations(@ForAll("truncated") byte[] q) {
    parseAndVerify(q, WITHOUT_COLLATERAL);
  }

  @Provide
  Arbitrary<byte[]> truncated() {
    return Combinators.combine(Arbitraries.of(REAL), Arbitraries.integers().between(0, 8000))
        .as((real, n) -> Arrays.copyOf(real, Math.min(n, real.length)));
  }

  @Property(tries = 2000)
  void lengthFieldEdits(@ForAll("lengthEdited") byte[] q) {
    parseAndVerify(q, WITHOUT_COLLATERAL);
  }

  @Provide
  Arbitrary<byte[]> lengthEdited() {
    Arbitrary<Integer> values = Arbitraries.oneOf(Arbitraries.integers(),
        Arbitraries.integers().between(-16, 16), Arbitraries.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE));
    return Combinators.combine(Arbitraries.of(REAL), Arbitraries.integers().between(0, 4), values,
        Arbitraries.of(true, false)).as((real, field, value, relative) -> {
          byte[] q = real.clone();
          int[] offsets = lengthFields(real);
          int off = offsets[field];
          int width = field == 2 ? 2 : 4;
          ByteBuffer b = ByteBuffer.wrap(q).order(ByteOrder.LITTLE_ENDIAN);
          int old = width == 2 ? b.getShort(off) & 0xffff : b.getInt(off);
          int v = relative ? old + value : value;
          if (width == 2) {
            b.putShort(off, (short) v);
          } else {
            b.putInt(off, v);
          }
          return q;
        });
  }

  /** Offsets of: signature data length, certification data size, QE auth data size, PCK chain size, v5 size. */
  private static int[] lengthFields(byte[] real) {
    try {
      TdxQuote t = TdxQuote.parse(real);
      int sigLen = t.signedBytes().length;
      int cert = sigLen + 4 + TdxQuote.Layout.SIG_CERT_DATA_SIZE;
      int auth = sigLen + 4 + TdxQuote.Layout.SIG_QE_AUTH_DATA_SIZE;
      int chain = auth + 2 + t.qeAuthData().length + 2;
      int v5Size = t.version() == 5 ? TdxQuote.Layout.HEADER_SIZE + 2 : sigLen;
      return new int[] {sigLen, cert, auth, chain, v5Size};
    } catch (AttestationException e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 1000)
  void mutatedQuotesWithCollateral(@ForAll("flipped") byte[] q) {
    parseAndVerify(q, WITH_COLLATERAL);
  }

  @Property(tries = 500)
  void mutatedCollateral(@ForAll("mutatedTcbInfo") byte[] tcbInfo) {
    onlyAttestationException(() -> TdxFixtures.collateral(tcbInfo, TdxFixtures.bytes(TdxFixtures.QE_IDENTITY)));
  }

  @Provide
  Arbitrary<byte[]> mutatedTcbInfo() {
    byte[] real = TdxFixtures.bytes(TdxFixtures.TCB_INFO_V4);
    return Combinators.combine(Arbitraries.integers().between(0, real.length - 1).list().ofMinSize(1).ofMaxSize(4),
        Arbitraries.bytes(), Arbitraries.integers().between(0, real.length)).as((offsets, value, cut) -> {
          byte[] b = Arrays.copyOf(real, cut);
          for (int off : offsets) {
            if (off < b.length) {
              b[off] = value;
            }
          }
          return b;
        });
  }
}
