package io.ppml.attestation.dcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.tdx.TdxFixtures;
import io.ppml.attestation.tdx.TdxQuote;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of mutations, each expecting one specific {@link Reason}. Rows on the real quote change one byte
 * at a known offset of the real SPR v4 quote (layout offsets from {@link TdxQuote.Layout}) or its chain;
 * collateral rows use a {@link TestPlatform} whose keys the test holds, or the real Intel collateral.
 */
class QuoteMutationTest {
  private static final int BODY = TdxQuote.Layout.HEADER_SIZE;
  private static final int SIG = TdxQuote.Layout.V4_SIGNATURE_DATA_LENGTH + 4;
  private static final int QE = SIG + TdxQuote.Layout.SIG_QE_REPORT;

  private static byte[] real;
  private static TestPlatform platform;
  private static byte[] platformQuote;

  /** A verification that must fail. */
  @FunctionalInterface
  interface Attempt {
    AttestationClaims run() throws Exception;
  }

  @BeforeAll
  static void setUp() throws Exception {
    real = TdxFixtures.bytes(TdxFixtures.V4_QUOTE);
    platform = new TestPlatform();
    platformQuote = platform.quote(real);
  }

  private static Arguments row(String name, Reason expected, Attempt attempt) {
    return Arguments.of(name, expected, attempt);
  }

  /** The real quote with byte {@code offset} XOR 1, verified at a fixed instant without collateral. */
  private static Arguments flip(String name, int offset, Reason expected) {
    return row(name + " @" + offset, expected, () -> {
      byte[] q = real.clone();
      q[offset] ^= 1;
      return RealQuoteVerificationTest.verifierAt(TdxFixtures.ALL_PCK_VALID).verify(q);
    });
  }

  private static Arguments realChain(String name, Reason expected, Function<List<X509Certificate>, String> pem) {
    return row(name, expected, () -> {
      List<X509Certificate> chain = Pem.certificates(TdxQuote.parse(real).pckCertChainPem(), "c",
          Reason.CHAIN_INVALID);
      return RealQuoteVerificationTest.verifierAt(TdxFixtures.ALL_PCK_VALID)
          .verify(TestPlatform.withChain(real, pem.apply(chain)));
    });
  }

  /** The test platform's quote, verified against its root with default collateral changed by {@code edit}. */
  private static Arguments collateral(String name, Reason expected, Consumer<CollateralSpec> edit) {
    return row(name, expected, () -> {
      CollateralSpec spec = new CollateralSpec(platform);
      edit.accept(spec);
      return DcapVerifier.builder().trustedRoot(platform.root)
          .clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
          .collateral(CollateralSource.fixed(spec.build())).build().verify(platformQuote);
    });
  }

  /** The real quote with the real v4 collateral at its instant, one collateral body tampered. */
  private static Arguments realCollateral(String name, Reason expected, boolean tcbInfo,
      UnaryOperator<String> tamper) {
    return row(name, expected, () -> {
      byte[] tcb = TdxFixtures.bytes(TdxFixtures.TCB_INFO_V4);
      byte[] qe = TdxFixtures.bytes(TdxFixtures.QE_IDENTITY);
      if (tcbInfo) {
        tcb = tamper.apply(new String(tcb, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
      } else {
        qe = tamper.apply(new String(qe, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
      }
      return RealQuoteVerificationTest.verifierAt(TdxFixtures.V4_COLLATERAL_VALID, TdxFixtures.collateral(tcb, qe))
          .verify(real);
    });
  }

  private static String derPem(byte[]... ders) {
    StringBuilder sb = new StringBuilder();
    for (byte[] der : ders) {
      sb.append("-----BEGIN CERTIFICATE-----\n")
          .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der))
          .append("\n-----END CERTIFICATE-----\n");
    }
    return sb.toString();
  }

  private static byte[] der(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Changes one hex digit of the {@code signature} field of a PCS response body. */
  private static String flipSignature(String body) {
    int i = body.indexOf("\"signature\":\"") + "\"signature\":\"".length() + 10;
    char c = body.charAt(i);
    return body.substring(0, i) + (c == '0' ? '1' : '0') + body.substring(i + 1);
  }

  static Stream<Arguments> mutations() {
    List<Arguments> rows = new ArrayList<>();
    // Header and TD report: every signed field class breaks the quote signature.
    rows.add(flip("header version 4 -> 5 (v4 bytes misread as v5)", TdxQuote.Layout.HEADER_VERSION,
        Reason.MALFORMED_QUOTE));
    rows.add(flip("header version 4 -> 260", TdxQuote.Layout.HEADER_VERSION + 1, Reason.UNSUPPORTED_QUOTE));
    rows.add(flip("header attestation key type", TdxQuote.Layout.HEADER_ATT_KEY_TYPE, Reason.UNSUPPORTED_QUOTE));
    rows.add(flip("header TEE type", TdxQuote.Layout.HEADER_TEE_TYPE, Reason.UNSUPPORTED_QUOTE));
    rows.add(flip("header reserved", TdxQuote.Layout.HEADER_RESERVED, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("header QE vendor id", TdxQuote.Layout.HEADER_QE_VENDOR_ID, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("header user data", TdxQuote.Layout.HEADER_USER_DATA + 19, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("TEE_TCB_SVN", BODY + TdxQuote.Layout.TEE_TCB_SVN, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("MRSEAM", BODY + TdxQuote.Layout.MR_SEAM, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("MRSIGNERSEAM", BODY + TdxQuote.Layout.MR_SIGNER_SEAM, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("SEAMATTRIBUTES", BODY + TdxQuote.Layout.SEAM_ATTRIBUTES, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("TDATTRIBUTES debug bit", BODY + TdxQuote.Layout.TD_ATTRIBUTES, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("XFAM", BODY + TdxQuote.Layout.XFAM, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("MRTD", BODY + TdxQuote.Layout.MR_TD + 47, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("MRCONFIGID", BODY + TdxQuote.Layout.MR_CONFIG_ID, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("MROWNER", BODY + TdxQuote.Layout.MR_OWNER, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("MROWNERCONFIG", BODY + TdxQuote.Layout.MR_OWNER_CONFIG, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("RTMR0", BODY + TdxQuote.Layout.RTMR0, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("RTMR3", BODY + TdxQuote.Layout.RTMR0 + 3 * 48 + 47, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("REPORTDATA", BODY + TdxQuote.Layout.REPORT_DATA, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("REPORTDATA last", BODY + TdxQuote.Layout.REPORT_DATA + 63, Reason.QUOTE_SIGNATURE_INVALID));
    // Signature data.
    rows.add(flip("signature data length", TdxQuote.Layout.V4_SIGNATURE_DATA_LENGTH + 2, Reason.MALFORMED_QUOTE));
    rows.add(flip("quote signature r", SIG + TdxQuote.Layout.SIG_QUOTE_SIGNATURE, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("quote signature s", SIG + 63, Reason.QUOTE_SIGNATURE_INVALID));
    rows.add(flip("attestation key", SIG + TdxQuote.Layout.SIG_ATTESTATION_KEY, Reason.QE_REPORT_DATA_MISMATCH));
    rows.add(flip("certification data type", SIG + TdxQuote.Layout.SIG_CERT_DATA_TYPE, Reason.UNSUPPORTED_QUOTE));
    rows.add(flip("certification data size", SIG + TdxQuote.Layout.SIG_CERT_DATA_SIZE + 3, Reason.MALFORMED_QUOTE));
    rows.add(flip("QE report CPUSVN", QE + TdxQuote.Layout.QE_CPU_SVN, Reason.QE_REPORT_SIGNATURE_INVALID));
    rows.add(flip("QE report MRSIGNER", QE + TdxQuote.Layout.QE_MR_SIGNER, Reason.QE_REPORT_SIGNATURE_INVALID));
    rows.add(flip("QE report ISVSVN", QE + TdxQuote.Layout.QE_ISV_SVN, Reason.QE_REPORT_SIGNATURE_INVALID));
    rows.add(flip("QE report data", QE + TdxQuote.Layout.QE_REPORT_DATA, Reason.QE_REPORT_SIGNATURE_INVALID));
    rows.add(flip("QE report signature", SIG + TdxQuote.Layout.SIG_QE_REPORT_SIGNATURE,
        Reason.QE_REPORT_SIGNATURE_INVALID));
    rows.add(flip("QE auth data", SIG + TdxQuote.Layout.SIG_QE_AUTH_DATA, Reason.QE_REPORT_DATA_MISMATCH));
    rows.add(flip("QE auth data size", SIG + TdxQuote.Layout.SIG_QE_AUTH_DATA_SIZE, Reason.UNSUPPORTED_QUOTE));
    rows.add(row("truncated inside the chain", Reason.MALFORMED_QUOTE,
        () -> RealQuoteVerificationTest.verifierAt(TdxFixtures.ALL_PCK_VALID)
            .verify(Arrays.copyOf(real, 3000))));
    // The PCK chain.
    rows.add(realChain("PCK leaf TBS byte", Reason.CHAIN_INVALID, c -> {
      byte[] leaf = der(c.get(0));
      leaf[20] ^= 1;
      return derPem(leaf, der(c.get(1)), der(c.get(2)));
    }));
    rows.add(realChain("PCK leaf signature byte", Reason.CHAIN_INVALID, c -> {
      byte[] leaf = der(c.get(0));
      leaf[leaf.length - 5] ^= 1;
      return derPem(leaf, der(c.get(1)), der(c.get(2)));
    }));
    rows.add(realChain("chain swapped", Reason.CHAIN_INVALID, c -> TestPlatform.pem(List.of(c.get(1), c.get(0),
        c.get(2)))));
    rows.add(realChain("chain without root", Reason.CHAIN_INVALID, c -> TestPlatform.pem(c.subList(0, 2))));
    rows.add(realChain("chain with extra certificate", Reason.CHAIN_INVALID,
        c -> TestPlatform.pem(List.of(c.get(0), c.get(1), c.get(1), c.get(2)))));
    rows.add(realChain("PCK chain that is not PEM", Reason.CHAIN_INVALID, c -> "not a certificate"));
    rows.add(realChain("self-made root with Intel's name", Reason.UNTRUSTED_ROOT, c -> {
      KeyPair k = TestPlatform.p256();
      String name = c.get(2).getSubjectX500Principal().getName();
      return TestPlatform.pem(List.of(c.get(0), c.get(1),
          TestPlatform.certificate(name, k, name, k.getPrivate(), true, null)));
    }));
    rows.add(row("PCK leaf expired at the clock", Reason.CERTIFICATE_EXPIRED,
        () -> RealQuoteVerificationTest.verifierAt(Instant.parse("2030-01-01T00:00:00Z")).verify(real)));
    rows.add(row("PCK leaf not yet valid at the clock", Reason.CERTIFICATE_EXPIRED,
        () -> RealQuoteVerificationTest.verifierAt(Instant.parse("2022-01-01T00:00:00Z")).verify(real)));
    rows.add(row("test platform quote against Intel's root", Reason.UNTRUSTED_ROOT,
        () -> RealQuoteVerificationTest.verifierAt(TestPlatform.NOW).verify(platformQuote)));
    rows.add(row("QE report signed by the PCK CA key instead of the leaf", Reason.QE_REPORT_SIGNATURE_INVALID,
        () -> DcapVerifier.builder().trustedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
            .build().verify(TestPlatform.quote(real, platform.pckChain(), platform.caKey.getPrivate()))));
    rows.add(row("PCK leaf without SGX extensions", Reason.CHAIN_INVALID, () -> {
      KeyPair k = TestPlatform.p256();
      X509Certificate bare = TestPlatform.certificate("CN=Test SGX PCK Certificate", k,
          platform.pckCa.getSubjectX500Principal().getName(), platform.caKey.getPrivate(), false, null);
      return DcapVerifier.builder().trustedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
          .build().verify(TestPlatform.quote(real, List.of(bare, platform.pckCa, platform.root), k.getPrivate()));
    }));
    rows.add(row("PCK leaf that is a CA", Reason.CHAIN_INVALID, () -> {
      KeyPair k = TestPlatform.p256();
      X509Certificate ca = TestPlatform.certificate("CN=Test SGX PCK Certificate", k,
          platform.pckCa.getSubjectX500Principal().getName(), platform.caKey.getPrivate(), true,
          TestPlatform.sgxExtensions(TestPlatform.FMSPC, TestPlatform.SGX_COMPONENTS, TestPlatform.PCE_SVN));
      return DcapVerifier.builder().trustedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
          .build().verify(TestPlatform.quote(real, List.of(ca, platform.pckCa, platform.root), k.getPrivate()));
    }));
    // Real Intel collateral at its instant, tampered.
    rows.add(realCollateral("real TCB info signature hex digit", Reason.COLLATERAL_SIGNATURE_INVALID, true,
        b -> flipSignature(b)));
    rows.add(realCollateral("real TCB info one JSON byte", Reason.COLLATERAL_SIGNATURE_INVALID, true,
        b -> b.replace("\"tcbEvaluationDataNumber\":15", "\"tcbEvaluationDataNumber\":16")));
    rows.add(realCollateral("real TCB info whitespace inside the signed object", Reason.COLLATERAL_SIGNATURE_INVALID,
        true, b -> b.replace("\"id\":\"TDX\",", "\"id\":\"TDX\", ")));
    rows.add(realCollateral("real QE identity signature hex digit", Reason.COLLATERAL_SIGNATURE_INVALID, false,
        b -> flipSignature(b)));
    rows.add(realCollateral("real QE identity ISVPRODID", Reason.COLLATERAL_SIGNATURE_INVALID, false,
        b -> b.replace("\"isvprodid\":2", "\"isvprodid\":3")));
    rows.add(realCollateral("real TCB info not JSON", Reason.COLLATERAL_MALFORMED, true, b -> b.substring(1)));
    // Test platform collateral.
    rows.add(collateral("PCK leaf revoked by the PCK CRL", Reason.CERTIFICATE_REVOKED, s -> s.pckCrl =
        TestPlatform.crl(platform.pckCa, platform.caKey.getPrivate(), Instant.parse("2030-05-01T00:00:00Z"),
            Instant.parse("2030-07-01T00:00:00Z"), BigInteger.ONE, platform.leaf.getSerialNumber())));
    rows.add(collateral("PCK CA revoked by the root CRL", Reason.CERTIFICATE_REVOKED, s -> s.rootCrl =
        TestPlatform.crl(platform.root, platform.rootKey.getPrivate(), Instant.parse("2030-01-01T00:00:00Z"),
            Instant.parse("2031-01-01T00:00:00Z"), platform.pckCa.getSerialNumber())));
    rows.add(collateral("TCB Signing certificate revoked by the root CRL", Reason.CERTIFICATE_REVOKED,
        s -> s.rootCrl = TestPlatform.crl(platform.root, platform.rootKey.getPrivate(),
            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z"),
            platform.tcbSigning.getSerialNumber())));
    rows.add(collateral("PCK CRL from another CA under the same root", Reason.CRL_INVALID, s -> {
      KeyPair k = TestPlatform.p256();
      X509Certificate other = TestPlatform.certificate("CN=Other PCK CA", k,
          platform.root.getSubjectX500Principal().getName(), platform.rootKey.getPrivate(), true, null);
      s.pckCrlChain = List.of(other, platform.root);
      s.pckCrl = TestPlatform.crl(other, k.getPrivate(), Instant.parse("2030-05-01T00:00:00Z"),
          Instant.parse("2030-07-01T00:00:00Z"));
    }));
    rows.add(collateral("PCK CRL in the PCK CA's name signed by another key", Reason.CRL_INVALID,
        s -> s.pckCrl = TestPlatform.crl(platform.pckCa, TestPlatform.p256().getPrivate(),
            Instant.parse("2030-05-01T00:00:00Z"), Instant.parse("2030-07-01T00:00:00Z"))));
    rows.add(collateral("root CRL signed by another key", Reason.CRL_INVALID,
        s -> s.rootCrl = TestPlatform.crl(platform.root, TestPlatform.p256().getPrivate(),
            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z"))));
    rows.add(collateral("root CRL issued by the PCK CA", Reason.CRL_INVALID,
        s -> s.rootCrl = TestPlatform.crl(platform.pckCa, platform.caKey.getPrivate(),
            Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2031-01-01T00:00:00Z"))));
    rows.add(collateral("PCK CRL expired", Reason.COLLATERAL_EXPIRED,
        s -> s.pckCrl = TestPlatform.crl(platform.pckCa, platform.caKey.getPrivate(),
            Instant.parse("2030-04-01T00:00:00Z"), Instant.parse("2030-05-01T00:00:00Z"))));
    rows.add(collateral("PCK CRL issuer chain to another root", Reason.UNTRUSTED_ROOT,
        s -> s.pckCrlChain = List.of(platform.pckCa, new TestPlatform("Other Root").root)));
    rows.add(collateral("TCB info signed by another key", Reason.COLLATERAL_SIGNATURE_INVALID,
        s -> s.tcbInfoKey = platform.leafKey.getPrivate()));
    rows.add(collateral("TCB info signature hex digit", Reason.COLLATERAL_SIGNATURE_INVALID,
        s -> s.tcbInfoTamper = b -> flipSignature(new String(b, StandardCharsets.UTF_8))
            .getBytes(StandardCharsets.UTF_8)));
    rows.add(collateral("QE identity signed by another key", Reason.COLLATERAL_SIGNATURE_INVALID,
        s -> s.qeIdentityKey = platform.caKey.getPrivate()));
    rows.add(collateral("TCB info issuer chain to another root", Reason.UNTRUSTED_ROOT, s -> {
      TestPlatform other = new TestPlatform("Other Root");
      s.tcbInfoChain = List.of(other.tcbSigning, other.root);
      s.tcbInfoKey = other.signingKey.getPrivate();
    }));
    rows.add(collateral("TCB info issuer chain signer not signed by the root", Reason.CHAIN_INVALID, s -> {
      TestPlatform other = new TestPlatform();
      s.tcbInfoChain = List.of(other.tcbSigning, platform.root);
      s.tcbInfoKey = other.signingKey.getPrivate();
    }));
    rows.add(collateral("TCB info signed by a CA certificate", Reason.CHAIN_INVALID, s -> {
      s.tcbInfoChain = List.of(platform.pckCa, platform.root);
      s.tcbInfoKey = platform.caKey.getPrivate();
    }));
    rows.add(collateral("TCB info and QE identity expired", Reason.COLLATERAL_EXPIRED, s -> {
      s.issueDate = Instant.parse("2030-04-01T00:00:00Z");
      s.nextUpdate = Instant.parse("2030-05-01T00:00:00Z");
    }));
    rows.add(collateral("TCB info not yet issued", Reason.COLLATERAL_EXPIRED,
        s -> s.issueDate = Instant.parse("2030-06-02T00:00:00Z")));
    rows.add(collateral("FMSPC mismatch", Reason.COLLATERAL_MISMATCH, s -> s.fmspc = "90c06f000000"));
    rows.add(collateral("PCEID mismatch", Reason.COLLATERAL_MISMATCH, s -> s.pceId = "0100"));
    rows.add(collateral("SGX TCB info instead of TDX", Reason.COLLATERAL_MISMATCH, s -> s.tcbInfoId = "SGX"));
    rows.add(collateral("TDX module signer", Reason.TDX_MODULE_MISMATCH, s -> s.moduleMrSigner = "01".repeat(48)));
    rows.add(collateral("no TCB level for the PCESVN", Reason.TCB_LEVEL_NOT_FOUND,
        s -> s.tcbLevels = CollateralSpec.level("UpToDate", 12, 4, "[]")));
    rows.add(collateral("no TCB level for TDX components", Reason.TCB_LEVEL_NOT_FOUND,
        s -> s.tcbLevels = CollateralSpec.level("UpToDate", 11, 5, "[]")));
    rows.add(collateral("QE identity signer", Reason.QE_IDENTITY_MISMATCH, s -> s.qeMrSigner = "00".repeat(32)));
    rows.add(collateral("QE ISVSVN below every QE level", Reason.TCB_LEVEL_NOT_FOUND, s -> s.qeTcbLevels =
        "{\"tcb\":{\"isvsvn\":200},\"tcbDate\":\"2023-02-15T00:00:00Z\",\"tcbStatus\":\"UpToDate\"}"));
    rows.add(collateral("TCB info with unknown status", Reason.COLLATERAL_MALFORMED,
        s -> s.tcbLevels = CollateralSpec.level("Fine", 11, 4, "[]")));
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("mutations")
  void rejected(String name, Reason expected, Attempt attempt) {
    AttestationException e = assertThrows(AttestationException.class, attempt::run, name);
    assertEquals(expected, e.reason(), name + ": " + e.getMessage());
  }

  /** One verifier that has already accepted the quote (and memoized its chain) still rejects every change. */
  @Test
  void verifierThatAcceptedTheQuoteStillRejectsTampering() throws Exception {
    DcapVerifier v = RealQuoteVerificationTest.verifierAt(TdxFixtures.ALL_PCK_VALID);
    v.verify(real);
    int[][] cases = {
        {SIG + TdxQuote.Layout.SIG_QE_REPORT_SIGNATURE + 5, Reason.QE_REPORT_SIGNATURE_INVALID.ordinal()},
        {QE + TdxQuote.Layout.QE_ISV_SVN, Reason.QE_REPORT_SIGNATURE_INVALID.ordinal()},
        {SIG + TdxQuote.Layout.SIG_QE_AUTH_DATA + 31, Reason.QE_REPORT_DATA_MISMATCH.ordinal()},
        {BODY + TdxQuote.Layout.REPORT_DATA + 1, Reason.QUOTE_SIGNATURE_INVALID.ordinal()},
        {SIG + 1, Reason.QUOTE_SIGNATURE_INVALID.ordinal()},
    };
    for (int[] c : cases) {
      byte[] q = real.clone();
      q[c[0]] ^= 0x40;
      assertEquals(Reason.values()[c[1]], assertThrows(AttestationException.class, () -> v.verify(q)).reason(),
          "offset " + c[0]);
      v.verify(real);
    }
  }

  @Test
  void unmutatedControlsVerify() throws Exception {
    RealQuoteVerificationTest.verifierAt(TdxFixtures.ALL_PCK_VALID).verify(real);
    List<X509Certificate> chain = Pem.certificates(TdxQuote.parse(real).pckCertChainPem(), "c", Reason.CHAIN_INVALID);
    RealQuoteVerificationTest.verifierAt(TdxFixtures.ALL_PCK_VALID)
        .verify(TestPlatform.withChain(real, TestPlatform.pem(chain)));
    DcapVerifier.builder().trustedRoot(platform.root).clock(Clock.fixed(TestPlatform.NOW, ZoneOffset.UTC))
        .collateral(CollateralSource.fixed(new CollateralSpec(platform).build())).build().verify(platformQuote);
  }
}
