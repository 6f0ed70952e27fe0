package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.pcs.PckExtensions;
import io.ppml.attestation.tdx.TdxQuote;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A complete test DCAP hierarchy held in this test: root CA -> PCK Platform CA -> PCK leaf with SGX
 * extensions, a TCB Signing certificate, CRLs and signed PCS-style TCB info / QE identity. It turns a real
 * quote into one signed by keys the test holds (same header and TD report, fresh attestation key, QE report
 * re-bound and re-signed), so collateral checks can be driven to each outcome.
 */
final class TestPlatform {
  static final Instant NOT_BEFORE = Instant.parse("2020-01-01T00:00:00Z");
  static final Instant NOT_AFTER = Instant.parse("2040-01-01T00:00:00Z");
  /** Instant at which the default collateral of {@link CollateralSpec} is current. */
  static final Instant NOW = Instant.parse("2030-06-01T00:00:00Z");
  static final String FMSPC = "50806f000000";
  /** SGX TCB components and PCESVN written into the PCK leaf (those of the real SPR quote's platform). */
  static final int[] SGX_COMPONENTS = {5, 5, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
  static final int PCE_SVN = 11;

  private static final AtomicLong SERIALS = new AtomicLong(1000);

  final KeyPair rootKey = p256();
  final X509Certificate root;
  final KeyPair caKey = p256();
  final X509Certificate pckCa;
  final KeyPair leafKey = p256();
  final X509Certificate leaf;
  final KeyPair signingKey = p256();
  final X509Certificate tcbSigning;

  TestPlatform() {
    this("Test SGX Root CA");
  }

  TestPlatform(String rootName) {
    root = certificate("CN=" + rootName, rootKey, "CN=" + rootName, rootKey.getPrivate(), true, null);
    pckCa = certificate("CN=Test SGX PCK Platform CA", caKey, root.getSubjectX500Principal().getName(),
        rootKey.getPrivate(), true, null);
    leaf = certificate("CN=Test SGX PCK Certificate", leafKey, pckCa.getSubjectX500Principal().getName(),
        caKey.getPrivate(), false, sgxExtensions(FMSPC, SGX_COMPONENTS, PCE_SVN));
    tcbSigning = certificate("CN=Test SGX TCB Signing", signingKey, root.getSubjectX500Principal().getName(),
        rootKey.getPrivate(), false, null);
  }

  static KeyPair p256() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate valid {@link #NOT_BEFORE} .. {@link #NOT_AFTER}; {@code sgx} adds the SGX extension. */
  static X509Certificate certificate(String subject, KeyPair subjectKey, String issuer, PrivateKey issuerKey,
      boolean ca, ASN1Encodable sgx) {
    return certificate(subject, subjectKey, issuer, issuerKey, ca, sgx, NOT_BEFORE, NOT_AFTER);
  }

  static X509Certificate certificate(String subject, KeyPair subjectKey, String issuer, PrivateKey issuerKey,
      boolean ca, ASN1Encodable sgx, Instant notBefore, Instant notAfter) {
    try {
      JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Principal(issuer),
          BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
          new X500Principal(subject), subjectKey.getPublic());
      b.addExtension(Extension.basicConstraints, true, ca ? new BasicConstraints(0) : new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(ca
          ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
      if (sgx != null) {
        b.addExtension(new ASN1ObjectIdentifier(PckExtensions.SGX_EXTENSIONS_OID), false, sgx);
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(signer(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ASN1Encodable sgxExtensions(String fmspcHex, int[] sgxComponents, int pceSvn) {
    String base = PckExtensions.SGX_EXTENSIONS_OID;
    ASN1EncodableVector tcb = new ASN1EncodableVector();
    for (int i = 0; i < 16; i++) {
      tcb.add(pair(base + ".2." + (i + 1), new ASN1Integer(sgxComponents[i])));
    }
    tcb.add(pair(base + ".2.17", new ASN1Integer(pceSvn)));
    tcb.add(pair(base + ".2.18", new DEROctetString(new byte[16])));
    ASN1EncodableVector top = new ASN1EncodableVector();
    top.add(pair(base + ".1", new DEROctetString(new byte[16])));
    top.add(pair(base + ".2", new DERSequence(tcb)));
    top.add(pair(base + ".3", new DEROctetString(new byte[2])));
    top.add(pair(base + ".4", new DEROctetString(HexFormat.of().parseHex(fmspcHex))));
    top.add(pair(base + ".5", new ASN1Enumerated(0)));
    return new DERSequence(top);
  }

  private static DERSequence pair(String oid, ASN1Encodable value) {
    return new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(oid), value});
  }

  private static ContentSigner signer(PrivateKey key) throws Exception {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  static byte[] signRaw(PrivateKey key, byte[] message) {
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(key);
      s.update(message);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(List<X509Certificate> chain) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (X509Certificate c : chain) {
        w.writeObject(c);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  List<X509Certificate> pckChain() {
    return List.of(leaf, pckCa, root);
  }

  /** {@code template}'s header and TD report, signed by this platform through a fresh attestation key. */
  byte[] quote(byte[] template) throws AttestationException {
    return quote(template, pckChain(), leafKey.getPrivate());
  }

  /** Like {@link #quote(byte[])} with any chain, the QE report signed by {@code qeReportKey}. */
  static byte[] quote(byte[] template, List<X509Certificate> chain, PrivateKey qeReportKey)
      throws AttestationException {
    TdxQuote t = TdxQuote.parse(template);
    KeyPair attestation = p256();
    byte[] attKey = rawPublic((ECPublicKey) attestation.getPublic());
    byte[] auth = t.qeAuthData();
    byte[] qeReport = t.qeReport().raw();
    byte[] binding = sha256(attKey, auth);
    System.arraycopy(binding, 0, qeReport, TdxQuote.Layout.QE_REPORT_DATA, 32);
    Arrays.fill(qeReport, TdxQuote.Layout.QE_REPORT_DATA + 32, TdxQuote.Layout.QE_REPORT_SIZE, (byte) 0);
    byte[] signed = t.signedBytes();
    return write(signed, signRaw(attestation.getPrivate(), signed), attKey, qeReport,
        signRaw(qeReportKey, qeReport), auth, pem(chain).getBytes(StandardCharsets.US_ASCII));
  }

  /** Serializes a quote: signed part, then the signature data with every length field consistent. */
  static byte[] write(byte[] signed, byte[] signature, byte[] attKey, byte[] qeReport, byte[] qeReportSig,
      byte[] auth, byte[] pem) {
    int certLen = qeReport.length + qeReportSig.length + 2 + auth.length + 2 + 4 + pem.length;
    int sigLen = 64 + 64 + 2 + 4 + certLen;
    ByteBuffer b = ByteBuffer.allocate(signed.length + 4 + sigLen).order(ByteOrder.LITTLE_ENDIAN);
    b.put(signed).putInt(sigLen).put(signature).put(attKey);
    b.putShort((short) 6).putInt(certLen).put(qeReport).put(qeReportSig);
    b.putShort((short) auth.length).put(auth);
    b.putShort((short) 5).putInt(pem.length).put(pem);
    return b.array();
  }

  /** A real quote with its PEM chain replaced (signatures untouched, lengths fixed up). */
  static byte[] withChain(byte[] real, String pem) throws AttestationException {
    TdxQuote q = TdxQuote.parse(real);
    return write(q.signedBytes(), q.signature(), q.attestationKey(), q.qeReport().raw(),
        q.qeReportSignature(), q.qeAuthData(), pem.getBytes(StandardCharsets.US_ASCII));
  }

  static byte[] rawPublic(ECPublicKey key) {
    byte[] out = new byte[64];
    copyUnsigned(key.getW().getAffineX(), out, 0);
    copyUnsigned(key.getW().getAffineY(), out, 32);
    return out;
  }

  private static void copyUnsigned(BigInteger v, byte[] out, int off) {
    byte[] b = v.toByteArray();
    int n = Math.min(b.length, 32);
    System.arraycopy(b, b.length - n, out, off + 32 - n, n);
  }

  static byte[] sha256(byte[] a, byte[] b) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(a);
      md.update(b);
      return md.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CRL by {@code issuer}, current {@code thisUpdate .. nextUpdate}, revoking {@code revoked}. */
  static byte[] crl(X509Certificate issuer, PrivateKey issuerKey, Instant thisUpdate, Instant nextUpdate,
      BigInteger... revoked) {
    try {
      X509v2CRLBuilder b = new JcaX509v2CRLBuilder(issuer.getSubjectX500Principal(), Date.from(thisUpdate));
      b.setNextUpdate(Date.from(nextUpdate));
      for (BigInteger serial : revoked) {
        b.addCRLEntry(serial, Date.from(thisUpdate), CRLReason.keyCompromise);
      }
      X509CRL crl = new JcaX509CRLConverter().getCRL(b.build(signer(issuerKey)));
      return crl.getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A PCS response body {@code {"<name>":<inner>,"signature":"<hex r||s over inner>"}}. */
  static byte[] signedBody(String name, String inner, PrivateKey key) {
    byte[] sig = signRaw(key, inner.getBytes(StandardCharsets.UTF_8));
    return ("{\"" + name + "\":" + inner + ",\"signature\":\"" + HexFormat.of().formatHex(sig) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
