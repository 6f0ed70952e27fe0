package io.ppml.attestation.tdx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TdxQuoteTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final String INTEL_QE_VENDOR = "939a7233f79c4ca9940a0db3957f0607";

  private static int u32(byte[] b, int off) {
    return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  @ParameterizedTest
  @ValueSource(strings = {TdxFixtures.V4_QUOTE, TdxFixtures.V5_QUOTE, TdxFixtures.CCEL_QUOTE})
  void realQuoteHeaderFields(String name) throws Exception {
    TdxQuote q = TdxQuote.parse(TdxFixtures.bytes(name));
    assertEquals(name.equals(TdxFixtures.V5_QUOTE) ? 5 : 4, q.version());
    assertEquals(2, q.attestationKeyType());
    assertEquals(0x81, q.teeType());
    assertEquals(INTEL_QE_VENDOR, HEX.formatHex(q.qeVendorId()));
    assertEquals(6, q.certificationDataType());
    assertEquals(3, q.pckCertChainPem().split("-----BEGIN CERTIFICATE-----", -1).length - 1);
    assertEquals(32, q.qeAuthData().length);
  }

  @Test
  void v4QuoteHonoursSignatureDataLengthNotFileLength() throws Exception {
    byte[] file = TdxFixtures.bytes(TdxFixtures.V4_QUOTE);
    assertEquals(TdxFixtures.V4_QUOTE_LENGTH + 39, file.length);
    TdxQuote q = TdxQuote.parse(file);
    assertEquals(TdxFixtures.V4_QUOTE_LENGTH, q.length());
    assertEquals(TdxQuote.Layout.V4_SIGNATURE_DATA_LENGTH + 4 + u32(file, 632), q.length());
    // The same quote without the trailer parses to the same fields.
    TdxQuote exact = TdxQuote.parse(Arrays.copyOf(file, TdxFixtures.V4_QUOTE_LENGTH));
    assertArrayEquals(q.signedBytes(), exact.signedBytes());
    assertEquals(q.pckCertChainPem(), exact.pckCertChainPem());
    // One byte short of the signature data is malformed.
    AttestationException e = assertThrows(AttestationException.class,
        () -> TdxQuote.parse(Arrays.copyOf(file, TdxFixtures.V4_QUOTE_LENGTH - 1)));
    assertEquals(Reason.MALFORMED_QUOTE, e.reason());
  }

  @Test
  void v4BodyFieldsAtDocumentedOffsets() throws Exception {
    byte[] file = TdxFixtures.bytes(TdxFixtures.V4_QUOTE);
    TdxQuote q = TdxQuote.parse(file);
    TdReport b = q.body();
    assertFalse(b.isTdx15());
    assertTrue(b.teeTcbSvn2().isEmpty());
    assertEquals(TdxQuote.Layout.HEADER_SIZE + TdxQuote.Layout.BODY_1_0_SIZE, q.signedBytes().length);
    assertArrayEquals(Arrays.copyOfRange(file, 0, 632), q.signedBytes());
    assertEquals("03000400000000000000000000000000", HEX.formatHex(b.teeTcbSvn()));
    assertArrayEquals(Arrays.copyOfRange(file, 48 + 136, 48 + 184), b.mrTd());
    assertArrayEquals(Arrays.copyOfRange(file, 48 + 328 + 3 * 48, 48 + 520), b.rtmr(3));
    assertArrayEquals(Arrays.copyOfRange(file, 48 + 520, 48 + 584), b.reportData());
    assertArrayEquals(Arrays.copyOfRange(file, 636, 700), q.signature());
    assertArrayEquals(Arrays.copyOfRange(file, 700, 764), q.attestationKey());
    assertArrayEquals(Arrays.copyOfRange(file, 770, 1154), q.qeReport().raw());
    assertArrayEquals(Arrays.copyOfRange(file, 1154, 1218), q.qeReportSignature());
    // Accessors hand out copies.
    q.body().mrTd()[0] ^= 1;
    assertArrayEquals(Arrays.copyOfRange(file, 48 + 136, 48 + 184), q.body().mrTd());
  }

  @Test
  void v5QuoteWithTdx15Body() throws Exception {
    byte[] file = TdxFixtures.bytes(TdxFixtures.V5_QUOTE);
    TdxQuote q = TdxQuote.parse(file);
    assertEquals(3, q.bodyType());
    TdReport b = q.body();
    assertTrue(b.isTdx15());
    assertEquals(48 + 6 + 648, q.signedBytes().length);
    assertArrayEquals(Arrays.copyOfRange(file, 0, 48 + 6 + 648), q.signedBytes());
    assertEquals("0b010400000000000000000000000000", HEX.formatHex(b.teeTcbSvn()));
    assertEquals("0d010400000000000000000000000000", HEX.formatHex(b.teeTcbSvn2().orElseThrow()));
    assertArrayEquals(Arrays.copyOfRange(file, 54 + 600, 54 + 648), b.mrServiceTd().orElseThrow());
    assertEquals(file.length, q.length());
  }

  @Test
  void ccelQuoteReportDataEqualsNonceAndPaddingIsIgnored() throws Exception {
    byte[] file = TdxFixtures.bytes(TdxFixtures.CCEL_QUOTE);
    TdxQuote q = TdxQuote.parse(file);
    assertArrayEquals(TdxFixtures.bytes(TdxFixtures.CCEL_NONCE), q.body().reportData());
    assertTrue(q.length() < file.length);
    for (int i = q.length(); i < file.length; i++) {
      assertEquals(0, file[i]);
    }
  }

  @Test
  void qeReportFields() throws Exception {
    byte[] file = TdxFixtures.bytes(TdxFixtures.V4_QUOTE);
    QeReport qe = TdxQuote.parse(file).qeReport();
    assertEquals(2, qe.isvProdId());
    assertEquals("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5",
        HEX.formatHex(qe.mrSigner()));
    assertArrayEquals(Arrays.copyOfRange(file, 770 + 320, 770 + 384), qe.reportData());
    assertEquals((file[770 + 258] & 0xff) | (file[770 + 259] & 0xff) << 8, qe.isvSvn());
  }

  @Test
  void unsupportedKindsAreNamed() throws Exception {
    byte[] file = TdxFixtures.bytes(TdxFixtures.V4_QUOTE);
    byte[] v3 = file.clone();
    v3[0] = 3;
    assertEquals(Reason.UNSUPPORTED_QUOTE, assertThrows(AttestationException.class,
        () -> TdxQuote.parse(v3)).reason());
    byte[] sgx = file.clone();
    sgx[4] = 0;
    assertEquals(Reason.UNSUPPORTED_QUOTE, assertThrows(AttestationException.class,
        () -> TdxQuote.parse(sgx)).reason());
    byte[] badV5Size = TdxFixtures.bytes(TdxFixtures.V5_QUOTE);
    badV5Size[50] ^= 1;
    assertEquals(Reason.MALFORMED_QUOTE, assertThrows(AttestationException.class,
        () -> TdxQuote.parse(badV5Size)).reason());
    assertEquals(Reason.MALFORMED_QUOTE, assertThrows(AttestationException.class,
        () -> TdxQuote.parse(new byte[0])).reason());
    assertEquals(Reason.MALFORMED_QUOTE, assertThrows(AttestationException.class,
        () -> TdxQuote.parse(null)).reason());
  }
}
