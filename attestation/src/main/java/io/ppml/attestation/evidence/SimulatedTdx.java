package io.ppml.attestation.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.attestation.EvidenceProvider;
import io.ppml.attestation.dcap.DirectoryCollateralSource;
import io.ppml.attestation.tdx.TdxQuote.Layout;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * DEVELOPMENT ONLY: a software stand-in for a TDX platform, for machines without TDX. Its quotes have the
 * exact TDX quote v4 byte layout and a complete DCAP signature structure, but every key is an ordinary
 * software key and the chain ends at a self-signed <em>simulated</em> root CA (its subject says
 * {@code SIMULATED}), never at Intel's SGX Root CA. A quote from here proves nothing about the machine.
 *
 * <p>A verifier accepts these quotes only when it was explicitly given {@link #rootCertificate()} as its
 * simulated root; it then reports {@code simulated = true}, and only a policy with {@code allowSimulated: true}
 * accepts them. Every default rejects them.
 *
 * <p>What it holds, created once by {@link #create} and shareable across processes with {@link #persist} /
 * {@link #load} (the state file holds private keys, mode 0600 — development only):
 * <ul>
 *   <li>a simulated root CA, a PCK CA under it and a PCK leaf carrying Intel's SGX extensions
 *       (OID 1.2.840.113741.1.13.1: PPID, TCB components, PCESVN, CPUSVN, PCE-ID, FMSPC, SGX type) — the
 *       leaf signs the QE report;</li>
 *   <li>an attestation key that signs header || TD report body;</li>
 *   <li>a TCB signing certificate under the root that signs the collateral written by
 *       {@link #writeCollateral} (TCB info, QE identity, CRLs), so full verification runs and yields
 *       {@code UpToDate};</li>
 *   <li>the TD's measurements (MRTD, RTMR0-3, MRCONFIGID, MROWNER) and its DEBUG bit (off by default).</li>
 * </ul>
 *
 * <p>Quote layout written by {@link #quote}: header (version 4, key type 2, TEE type 0x81, Intel's QE vendor
 * id, user data "PPML-SIMULATED-TDX"), the 584-byte TD report body, then the signature data: quote signature
 * r||s, attestation key x||y, certification data type 6 holding the 384-byte QE report (REPORTDATA =
 * SHA-256(attestation key || auth data) || 32 zero bytes), its signature by the PCK leaf, 32 bytes of auth
 * data, and nested type 5 with the PEM chain leaf, PCK CA, root. Offsets are {@link Layout}'s.
 */
public final class SimulatedTdx implements EvidenceProvider {

  /** The state file {@link #persist} writes (private keys: mode 0600). */
  public static final String STATE_FILE = "simulated-tdx.json";
  /** The simulated root certificate (public) that {@link #persist} writes beside the state. */
  public static final String ROOT_CERTIFICATE_FILE = "simulated-root.pem";

  private static final int STATE_VERSION = 1;
  private static final String SGX_EXTENSIONS_OID = "1.2.840.113741.1.13.1";
  private static final byte[] QE_VENDOR_ID = HexFormat.of().parseHex("939a7233f79c4ca9940a0db3957f0607");
  private static final byte[] USER_DATA = "PPML-SIMULATED-TDX\0\0".getBytes(StandardCharsets.US_ASCII);

  // The simulated platform's TCB: one level, UpToDate, in the simulated TCB info.
  private static final String FMSPC = "00a06f000000";
  private static final String PCE_ID = "0000";
  private static final int[] SGX_TCB = {5, 5, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
  private static final int PCE_SVN = 11;
  private static final int[] TDX_TCB = {3, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // The simulated quoting enclave, described by the simulated QE identity.
  private static final byte[] QE_MR_SIGNER = sha256("ppml simulated TDX quoting enclave signer");
  private static final byte[] QE_MR_ENCLAVE = sha256("ppml simulated TDX quoting enclave");
  private static final byte[] QE_ATTRIBUTES = HexFormat.of().parseHex("11000000000000000000000000000000");
  private static final int QE_ISV_PROD_ID = 2;
  private static final int QE_ISV_SVN = 4;
  private static final int QE_AUTH_DATA_SIZE = 32;
  private static final int TCB_EVALUATION_DATA_NUMBER = 17;

  private static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(3650);
  private static final Duration COLLATERAL_VALIDITY = Duration.ofDays(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Credentials credentials;
  private final Td td;

  private SimulatedTdx(Credentials credentials, Td td) {
    this.credentials = credentials;
    this.td = td;
  }

  /**
   * Creates a new simulated platform: fresh keys and certificates valid from one day before {@code clock}'s
   * instant for ten years, and default measurements (SHA-384 of fixed labels; DEBUG off).
   */
  public static SimulatedTdx create(Clock clock) {
    try {
      return new SimulatedTdx(Credentials.generate(clock.instant()), Td.defaults());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create simulated TDX credentials", e);
    }
  }

  /** Loads a platform written by {@link #persist}. */
  public static SimulatedTdx load(Path dir) throws IOException {
    Path file = dir.resolve(STATE_FILE);
    JsonNode state = JSON.readTree(Files.readAllBytes(file));
    if (state == null || state.path("version").asInt() != STATE_VERSION) {
      throw new IOException(file + " is not a simulated TDX state file of version " + STATE_VERSION);
    }
    try {
      return new SimulatedTdx(Credentials.read(state.path("credentials")), Td.read(state.path("td")));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IOException(file + " is not a valid simulated TDX state file", e);
    }
  }

  /** Loads the platform persisted in {@code dir}, or creates one there (see {@link #persist}) when absent. */
  public static SimulatedTdx loadOrCreate(Path dir, Clock clock) throws IOException {
    if (Files.exists(dir.resolve(STATE_FILE))) {
      return load(dir);
    }
    SimulatedTdx created = create(clock);
    created.persist(dir);
    return created;
  }

  /**
   * Writes the state to {@code dir/simulated-tdx.json} (mode 0600: it holds private keys) and the root
   * certificate to {@code dir/simulated-root.pem}. Creates {@code dir} (mode 0700) when absent.
   */
  public void persist(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    ObjectNode state = JSON.createObjectNode();
    state.put("version", STATE_VERSION);
    state.put("warning", "SIMULATED TDX platform for development only; holds private keys");
    state.set("credentials", credentials.toJson());
    state.set("td", td.toJson());
    Path file = dir.resolve(STATE_FILE);
    Path tmp = dir.resolve(STATE_FILE + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(dir.resolve(ROOT_CERTIFICATE_FILE), pem(List.of(credentials.root)));
  }

  /** The simulated root CA; a verifier accepts this platform's quotes only when given it explicitly. */
  public X509Certificate rootCertificate() {
    return credentials.root;
  }

  /** This platform with another MRTD (48 bytes). */
  public SimulatedTdx withMrTd(byte[] mrTd) {
    return new SimulatedTdx(credentials, td.with(Td.MRTD, mrTd));
  }

  /** This platform with another RTMR{@code index} (0..3, 48 bytes). */
  public SimulatedTdx withRtmr(int index, byte[] value) {
    if (index < 0 || index > 3) {
      throw new IllegalArgumentException("RTMR index must be 0..3, got " + index);
    }
    return new SimulatedTdx(credentials, td.with(Td.RTMR0 + index, value));
  }

  public SimulatedTdx withMrConfigId(byte[] mrConfigId) {
    return new SimulatedTdx(credentials, td.with(Td.MRCONFIGID, mrConfigId));
  }

  public SimulatedTdx withMrOwner(byte[] mrOwner) {
    return new SimulatedTdx(credentials, td.with(Td.MROWNER, mrOwner));
  }

  /** This platform with TDATTRIBUTES.DEBUG set or clear. */
  public SimulatedTdx withDebug(boolean debug) {
    return new SimulatedTdx(credentials, new Td(td.measurements, debug));
  }

  /** MRTD as lowercase hex. */
  public String mrTdHex() {
    return HexFormat.of().formatHex(td.measurements.get(Td.MRTD));
  }

  /** RTMR{@code index} as lowercase hex. */
  public String rtmrHex(int index) {
    return HexFormat.of().formatHex(td.measurements.get(Td.RTMR0 + index));
  }

  @Override
  public String teeType() {
    return "tdx";
  }

  @Override
  public boolean simulated() {
    return true;
  }

  /** A v4 quote whose REPORTDATA is {@code reportData} (64 bytes), signed as described in the class doc. */
  @Override
  public byte[] quote(byte[] reportData) {
    if (reportData == null || reportData.length != 64) {
      throw new IllegalArgumentException("report data must be exactly 64 bytes");
    }
    try {
      byte[] header = header();
      byte[] body = td.body(reportData);
      byte[] signedBytes = concat(header, body);
      byte[] quoteSignature = sign(credentials.attestationKey.getPrivate(), signedBytes);
      byte[] attestationKey = rawPublicKey((ECPublicKey) credentials.attestationKey.getPublic());

      byte[] authData = new byte[QE_AUTH_DATA_SIZE];
      for (int i = 0; i < authData.length; i++) {
        authData[i] = (byte) i;
      }
      byte[] qeReport = qeReport(attestationKey, authData);
      byte[] qeReportSignature = sign(credentials.pckKey, qeReport);
      byte[] chain = pem(List.of(credentials.pck, credentials.pckCa, credentials.root))
          .getBytes(StandardCharsets.US_ASCII);

      int certDataSize = Layout.QE_REPORT_SIZE + 64 + 2 + authData.length + 2 + 4 + chain.length;
      int sigDataSize = Layout.SIG_QE_REPORT + certDataSize;
      ByteBuffer out = le(signedBytes.length + 4 + sigDataSize);
      out.put(signedBytes);
      out.putInt(sigDataSize);
      out.put(quoteSignature).put(attestationKey);
      out.putShort((short) Layout.CERT_DATA_QE_REPORT).putInt(certDataSize);
      out.put(qeReport).put(qeReportSignature);
      out.putShort((short) authData.length).put(authData);
      out.putShort((short) Layout.CERT_DATA_PCK_CHAIN).putInt(chain.length).put(chain);
      return out.array();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot sign a simulated quote", e);
    }
  }

  /**
   * Writes signed collateral for this platform into {@code dir} (created when absent) in the layout of
   * {@link DirectoryCollateralSource}: TCB info (TDX, v3,
   * one UpToDate level matching this platform) and QE identity (TD_QE, v2) in Intel's PCS JSON form signed
   * by the simulated TCB signing key, their issuer chains, and empty PCK CA and root CRLs. Valid from
   * {@code issueDate} for 30 days.
   */
  public void writeCollateral(Path dir, Instant issueDate) throws IOException {
    Files.createDirectories(dir);
    Instant issued = issueDate.truncatedTo(ChronoUnit.SECONDS);
    Instant next = issued.plus(COLLATERAL_VALIDITY);
    try {
      Files.write(dir.resolve(DirectoryCollateralSource.TCB_INFO),
          signedPcsBody("tcbInfo", tcbInfo(issued, next)));
      Files.write(dir.resolve(DirectoryCollateralSource.QE_IDENTITY),
          signedPcsBody("enclaveIdentity", qeIdentity(issued, next)));
      String tcbChain = pem(List.of(credentials.tcbSigning, credentials.root));
      Files.writeString(dir.resolve(DirectoryCollateralSource.TCB_INFO_ISSUER_CHAIN), tcbChain);
      Files.writeString(dir.resolve(DirectoryCollateralSource.QE_IDENTITY_ISSUER_CHAIN), tcbChain);
      Files.write(dir.resolve(DirectoryCollateralSource.PCK_CRL),
          crl(credentials.pckCa, credentials.pckCaKey, issued, next));
      Files.writeString(dir.resolve(DirectoryCollateralSource.PCK_CRL_ISSUER_CHAIN),
          pem(List.of(credentials.pckCa, credentials.root)));
      Files.write(dir.resolve(DirectoryCollateralSource.ROOT_CRL),
          crl(credentials.root, credentials.rootKey, issued, next));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot sign simulated collateral", e);
    }
  }

  @Override
  public String toString() {
    return "SimulatedTdx[SIMULATED, development only, MRTD " + mrTdHex() + "]";
  }

  private static byte[] header() {
    ByteBuffer h = le(Layout.HEADER_SIZE);
    h.putShort(Layout.HEADER_VERSION, (short) 4);
    h.putShort(Layout.HEADER_ATT_KEY_TYPE, (short) Layout.ATT_KEY_TYPE_ECDSA_P256);
    h.putInt(Layout.HEADER_TEE_TYPE, Layout.TEE_TYPE_TDX);
    h.put(Layout.HEADER_QE_VENDOR_ID, QE_VENDOR_ID);
    h.put(Layout.HEADER_USER_DATA, USER_DATA);
    return h.array();
  }

  private static byte[] qeReport(byte[] attestationKey, byte[] authData) {
    ByteBuffer r = le(Layout.QE_REPORT_SIZE);
    r.put(Layout.QE_CPU_SVN, cpuSvn());
    r.put(Layout.QE_ATTRIBUTES, QE_ATTRIBUTES);
    r.put(Layout.QE_MR_ENCLAVE, QE_MR_ENCLAVE);
    r.put(Layout.QE_MR_SIGNER, QE_MR_SIGNER);
    r.putShort(Layout.QE_ISV_PROD_ID, (short) QE_ISV_PROD_ID);
    r.putShort(Layout.QE_ISV_SVN, (short) QE_ISV_SVN);
    r.put(Layout.QE_REPORT_DATA, sha256(concat(attestationKey, authData)));
    return r.array();
  }

  private static byte[] cpuSvn() {
    byte[] svn = new byte[16];
    for (int i = 0; i < 16; i++) {
      svn[i] = (byte) SGX_TCB[i];
    }
    return svn;
  }

  private static ObjectNode tcbInfo(Instant issued, Instant next) {
    ObjectNode info = JSON.createObjectNode();
    info.put("id", "TDX");
    info.put("version", 3);
    info.put("issueDate", issued.toString());
    info.put("nextUpdate", next.toString());
    info.put("fmspc", FMSPC);
    info.put("pceId", PCE_ID);
    info.put("tcbType", 0);
    info.put("tcbEvaluationDataNumber", TCB_EVALUATION_DATA_NUMBER);
    ObjectNode module = info.putObject("tdxModule");
    module.put("mrsigner", "00".repeat(48));
    module.put("attributes", "0000000000000000");
    module.put("attributesMask", "FFFFFFFFFFFFFFFF");
    ObjectNode level = info.putArray("tcbLevels").addObject();
    ObjectNode tcb = level.putObject("tcb");
    for (int svn : SGX_TCB) {
      tcb.withArray("sgxtcbcomponents").addObject().put("svn", svn);
    }
    tcb.put("pcesvn", PCE_SVN);
    for (int svn : TDX_TCB) {
      tcb.withArray("tdxtcbcomponents").addObject().put("svn", svn);
    }
    level.put("tcbDate", issued.truncatedTo(ChronoUnit.DAYS).toString());
    level.put("tcbStatus", "UpToDate");
    return info;
  }

  private static ObjectNode qeIdentity(Instant issued, Instant next) {
    ObjectNode id = JSON.createObjectNode();
    id.put("id", "TD_QE");
    id.put("version", 2);
    id.put("issueDate", issued.toString());
    id.put("nextUpdate", next.toString());
    id.put("tcbEvaluationDataNumber", TCB_EVALUATION_DATA_NUMBER);
    id.put("miscselect", "00000000");
    id.put("miscselectMask", "FFFFFFFF");
    id.put("attributes", HexFormat.of().withUpperCase().formatHex(QE_ATTRIBUTES));
    id.put("attributesMask", "FBFFFFFFFFFFFFFF0000000000000000");
    id.put("mrsigner", HexFormat.of().withUpperCase().formatHex(QE_MR_SIGNER));
    id.put("isvprodid", QE_ISV_PROD_ID);
    ObjectNode level = id.putArray("tcbLevels").addObject();
    level.putObject("tcb").put("isvsvn", QE_ISV_SVN);
    level.put("tcbDate", issued.truncatedTo(ChronoUnit.DAYS).toString());
    level.put("tcbStatus", "UpToDate");
    return id;
  }

  /** {"<name>":<inner>,"signature":"<hex r||s over the exact inner bytes>"} as Intel's PCS returns it. */
  private byte[] signedPcsBody(String name, ObjectNode inner) throws IOException, GeneralSecurityException {
    byte[] innerBytes = JSON.writeValueAsBytes(inner);
    String signature = HexFormat.of().formatHex(sign(credentials.tcbSigningKey, innerBytes));
    String body = "{\"" + name + "\":" + new String(innerBytes, StandardCharsets.UTF_8)
        + ",\"signature\":\"" + signature + "\"}";
    return body.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] crl(X509Certificate issuer, PrivateKey issuerKey, Instant thisUpdate, Instant nextUpdate)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X509v2CRLBuilder builder = new X509v2CRLBuilder(
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
    builder.setNextUpdate(Date.from(nextUpdate));
    builder.addExtension(Extension.authorityKeyIdentifier, false,
        new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer));
    return new JcaX509CRLConverter().getCRL(builder.build(signer(issuerKey))).getEncoded();
  }

  private static byte[] sign(PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
    s.initSign(key);
    s.update(data);
    return s.sign();
  }

  private static byte[] rawPublicKey(ECPublicKey key) {
    byte[] out = new byte[64];
    unsigned32(key.getW().getAffineX(), out, 0);
    unsigned32(key.getW().getAffineY(), out, 32);
    return out;
  }

  private static void unsigned32(BigInteger v, byte[] out, int offset) {
    byte[] b = v.toByteArray();
    int len = Math.min(b.length, 32);
    System.arraycopy(b, b.length - len, out, offset + 32 - len, len);
  }

  private static String pem(List<X509Certificate> certificates) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (X509Certificate c : certificates) {
        writer.writeObject(c);
      }
    }
    return text.toString();
  }

  private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
    return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static byte[] sha256(byte[] data) {
    return digest("SHA-256", data);
  }

  private static byte[] sha256(String label) {
    return sha256(label.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The TD: its measurements by index and its DEBUG bit. */
  private record Td(List<byte[]> measurements, boolean debug) {
    static final int MRTD = 0;
    static final int RTMR0 = 1;
    static final int MRCONFIGID = 5;
    static final int MROWNER = 6;
    static final int MRSEAM = 7;
    private static final List<String> NAMES =
        List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner", "mrseam");
    private static final int[] BODY_OFFSETS = {Layout.MR_TD, Layout.RTMR0, Layout.RTMR0 + 48,
        Layout.RTMR0 + 96, Layout.RTMR0 + 144, Layout.MR_CONFIG_ID, Layout.MR_OWNER, Layout.MR_SEAM};

    static Td defaults() {
      List<byte[]> m = new ArrayList<>();
      for (String name : NAMES) {
        m.add(name.startsWith("mrconfigid") || name.startsWith("mrowner")
            ? new byte[48] : digest("SHA-384", ("ppml simulated TDX " + name).getBytes(StandardCharsets.UTF_8)));
      }
      return new Td(List.copyOf(m), false);
    }

    Td with(int index, byte[] value) {
      if (value == null || value.length != 48) {
        throw new IllegalArgumentException(NAMES.get(index) + " must be 48 bytes");
      }
      List<byte[]> m = new ArrayList<>(measurements);
      m.set(index, value.clone());
      return new Td(List.copyOf(m), debug);
    }

    byte[] body(byte[] reportData) {
      ByteBuffer b = le(Layout.BODY_1_0_SIZE);
      byte[] teeTcbSvn = new byte[16];
      for (int i = 0; i < 16; i++) {
        teeTcbSvn[i] = (byte) TDX_TCB[i];
      }
      b.put(Layout.TEE_TCB_SVN, teeTcbSvn);
      for (int i = 0; i < NAMES.size(); i++) {
        b.put(BODY_OFFSETS[i], measurements.get(i));
      }
      // MRSIGNERSEAM and SEAMATTRIBUTES stay zero: Intel's TDX module identity in the TCB info.
      long tdAttributes = (1L << 28) | (debug ? 1L : 0L); // SEPT_VE_DISABLE, and DEBUG when asked
      b.putLong(Layout.TD_ATTRIBUTES, tdAttributes);
      b.putLong(Layout.XFAM, 0x61ae7L);
      b.put(Layout.REPORT_DATA, reportData);
      return b.array();
    }

    ObjectNode toJson() {
      ObjectNode n = JSON.createObjectNode();
      for (int i = 0; i < NAMES.size(); i++) {
        n.put(NAMES.get(i), HexFormat.of().formatHex(measurements.get(i)));
      }
      n.put("debug", debug);
      return n;
    }

    static Td read(JsonNode n) {
      List<byte[]> m = new ArrayList<>();
      for (String name : NAMES) {
        byte[] v = HexFormat.of().parseHex(n.path(name).asText());
        if (v.length != 48) {
          throw new IllegalArgumentException(name + " must be 48 bytes");
        }
        m.add(v);
      }
      return new Td(List.copyOf(m), n.path("debug").asBoolean(false));
    }
  }

  /** The simulated platform's keys and certificates. */
  private static final class Credentials {
    final PrivateKey rootKey;
    final X509Certificate root;
    final PrivateKey pckCaKey;
    final X509Certificate pckCa;
    final PrivateKey pckKey;
    final X509Certificate pck;
    final PrivateKey tcbSigningKey;
    final X509Certificate tcbSigning;
    final KeyPair attestationKey;

    Credentials(PrivateKey rootKey, X509Certificate root, PrivateKey pckCaKey, X509Certificate pckCa,
        PrivateKey pckKey, X509Certificate pck, PrivateKey tcbSigningKey, X509Certificate tcbSigning,
        KeyPair attestationKey) {
      this.rootKey = rootKey;
      this.root = root;
      this.pckCaKey = pckCaKey;
      this.pckCa = pckCa;
      this.pckKey = pckKey;
      this.pck = pck;
      this.tcbSigningKey = tcbSigningKey;
      this.tcbSigning = tcbSigning;
      this.attestationKey = attestationKey;
    }

    static Credentials generate(Instant now) throws GeneralSecurityException, OperatorCreationException,
        IOException {
      Instant notBefore = now.minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
      Instant notAfter = notBefore.plus(CERTIFICATE_VALIDITY);
      KeyPair rootPair = ecKeyPair();
      X500Name rootName = name("PPML SIMULATED TDX Root CA (development only)");
      X509Certificate root = certificate(rootName, rootPair.getPublic(), rootName, rootPair.getPrivate(), null,
          notBefore, notAfter, true, null);
      KeyPair caPair = ecKeyPair();
      X509Certificate pckCa = certificate(name("PPML SIMULATED PCK Processor CA"), caPair.getPublic(), rootName,
          rootPair.getPrivate(), root, notBefore, notAfter, true, null);
      KeyPair pckPair = ecKeyPair();
      X509Certificate pck = certificate(name("PPML SIMULATED PCK Certificate"), pckPair.getPublic(),
          name("PPML SIMULATED PCK Processor CA"), caPair.getPrivate(), pckCa, notBefore, notAfter, false,
          sgxExtensions());
      KeyPair tcbPair = ecKeyPair();
      X509Certificate tcbSigning = certificate(name("PPML SIMULATED TCB Signing"), tcbPair.getPublic(), rootName,
          rootPair.getPrivate(), root, notBefore, notAfter, false, null);
      return new Credentials(rootPair.getPrivate(), root, caPair.getPrivate(), pckCa, pckPair.getPrivate(), pck,
          tcbPair.getPrivate(), tcbSigning, ecKeyPair());
    }

    ObjectNode toJson() throws IOException {
      ObjectNode n = JSON.createObjectNode();
      Base64.Encoder b64 = Base64.getEncoder();
      try {
        for (Map.Entry<String, X509Certificate> c : certificates().entrySet()) {
          n.put(c.getKey() + "Certificate", b64.encodeToString(c.getValue().getEncoded()));
        }
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot encode a simulated certificate", e);
      }
      for (Map.Entry<String, PrivateKey> k : privateKeys().entrySet()) {
        n.put(k.getKey() + "PrivateKey", b64.encodeToString(k.getValue().getEncoded()));
      }
      n.put("attestationPublicKey", b64.encodeToString(attestationKey.getPublic().getEncoded()));
      return n;
    }

    static Credentials read(JsonNode n) throws GeneralSecurityException {
      return new Credentials(
          privateKey(n, "root"), certificate(n, "root"),
          privateKey(n, "pckCa"), certificate(n, "pckCa"),
          privateKey(n, "pck"), certificate(n, "pck"),
          privateKey(n, "tcbSigning"), certificate(n, "tcbSigning"),
          new KeyPair(KeyFactory.getInstance("EC").generatePublic(
              new X509EncodedKeySpec(Base64.getDecoder().decode(n.path("attestationPublicKey").asText()))),
              privateKey(n, "attestation")));
    }

    private Map<String, X509Certificate> certificates() {
      return Map.of("root", root, "pckCa", pckCa, "pck", pck, "tcbSigning", tcbSigning);
    }

    private Map<String, PrivateKey> privateKeys() {
      return Map.of("root", rootKey, "pckCa", pckCaKey, "pck", pckKey, "tcbSigning", tcbSigningKey,
          "attestation", attestationKey.getPrivate());
    }

    private static PrivateKey privateKey(JsonNode n, String name) throws GeneralSecurityException {
      return KeyFactory.getInstance("EC").generatePrivate(
          new PKCS8EncodedKeySpec(Base64.getDecoder().decode(n.path(name + "PrivateKey").asText())));
    }

    private static X509Certificate certificate(JsonNode n, String name) throws GeneralSecurityException {
      byte[] der = Base64.getDecoder().decode(n.path(name + "Certificate").asText());
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return g.generateKeyPair();
    }

    private static X500Name name(String commonName) {
      return new X500Name("CN=" + commonName + ",O=ppml-spark development,C=US");
    }

    private static X509Certificate certificate(X500Name subject, PublicKey key, X500Name issuer,
        PrivateKey issuerKey, X509Certificate issuerCert, Instant notBefore, Instant notAfter, boolean ca,
        DERSequence sgxExtensions) throws GeneralSecurityException, OperatorCreationException, IOException {
      byte[] serial = new byte[16];
      new SecureRandom().nextBytes(serial);
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(1, serial),
          Date.from(notBefore), Date.from(notAfter), subject, key);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
      if (issuerCert != null) {
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerCert));
      }
      b.addExtension(Extension.basicConstraints, true,
          ca ? new BasicConstraints(issuerCert == null ? 1 : 0) : new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, ca
          ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
      if (sgxExtensions != null) {
        b.addExtension(new ASN1ObjectIdentifier(SGX_EXTENSIONS_OID), false, sgxExtensions);
      }
      return new JcaX509CertificateConverter().getCertificate(b.build(signer(issuerKey)));
    }

    /** Intel's SGX extensions as in a PCK Processor CA leaf: PPID, TCB, PCE-ID, FMSPC, SGX type. */
    private static DERSequence sgxExtensions() {
      ASN1EncodableVector tcb = new ASN1EncodableVector();
      for (int i = 0; i < 16; i++) {
        tcb.add(pair(".2." + (i + 1), new ASN1Integer(SGX_TCB[i])));
      }
      tcb.add(pair(".2.17", new ASN1Integer(PCE_SVN)));
      tcb.add(pair(".2.18", new DEROctetString(cpuSvn())));
      ASN1EncodableVector top = new ASN1EncodableVector();
      top.add(pair(".1", new DEROctetString(Arrays.copyOf(sha256("ppml simulated TDX PPID"), 16))));
      top.add(pair(".2", new DERSequence(tcb)));
      top.add(pair(".3", new DEROctetString(HexFormat.of().parseHex(PCE_ID))));
      top.add(pair(".4", new DEROctetString(HexFormat.of().parseHex(FMSPC))));
      top.add(pair(".5", new ASN1Enumerated(0)));
      return new DERSequence(top);
    }

    private static DERSequence pair(String oidSuffix, ASN1Encodable value) {
      return new DERSequence(new ASN1Encodable[] {
          new ASN1ObjectIdentifier(SGX_EXTENSIONS_OID + oidSuffix), value});
    }
  }
}
