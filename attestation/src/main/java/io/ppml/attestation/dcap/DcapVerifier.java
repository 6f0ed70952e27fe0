package io.ppml.attestation.dcap;

import io.ppml.attestation.AttestationClaims;
import io.ppml.attestation.AttestationException;
import io.ppml.attestation.AttestationException.Reason;
import io.ppml.attestation.TcbStatus;
import io.ppml.attestation.pcs.PcsResponse;
import io.ppml.attestation.pcs.PckExtensions;
import io.ppml.attestation.tdx.TdReport;
import io.ppml.attestation.tdx.TdxQuote;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Native Java Intel DCAP verification of TDX quotes (v4 and v5). Checks, in order, stopping at the first
 * failure (each names its {@link Reason}; docs/attestation.md lists them):
 * <ol>
 *   <li>parse ({@code MALFORMED_QUOTE}, {@code UNSUPPORTED_QUOTE});
 *   <li>PCK chain of exactly leaf, PCK CA, root: the root is byte-identical to the pinned root
 *       ({@code UNTRUSTED_ROOT}); names chain, signatures verify, the CA is a CA allowed to sign certificates,
 *       the leaf is not a CA ({@code CHAIN_INVALID}); every certificate valid at the clock
 *       ({@code CERTIFICATE_EXPIRED});
 *   <li>QE report signature by the PCK leaf key ({@code QE_REPORT_SIGNATURE_INVALID});
 *   <li>QE report data = SHA-256(attestation key || QE auth data) || 32 zero bytes
 *       ({@code QE_REPORT_DATA_MISMATCH});
 *   <li>quote signature by the attestation key over {@link TdxQuote#signedBytes()}
 *       ({@code QUOTE_SIGNATURE_INVALID});
 *   <li>the PCK certificate's SGX extensions ({@code CHAIN_INVALID});
 *   <li>with a {@link CollateralSource} only: CRLs, TCB info, QE identity, TCB level (see
 *       {@link #verifyCollateral}).
 * </ol>
 * Without a collateral source the claims carry {@link TcbStatus#UNKNOWN}, no advisories and no tcbDate: the
 * quote is genuine but nothing is known about the platform's patch level or revocation.
 *
 * <p>Instances are thread-safe. Each keeps a bounded memo of signatures that already verified (PCK chain,
 * QE report, collateral; never the per-quote signature, never validity or revocation), see
 * {@link VerifiedSignatures}, and one of PCK chains already parsed, see {@link ParsedChains}.
 */
public final class DcapVerifier implements QuoteVerifier {

  /** SHA-256 of the DER of the Intel SGX Root CA embedded as the default trusted root. */
  public static final String INTEL_SGX_ROOT_CA_SHA256 =
      "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3";
  private static final String INTEL_ROOT_RESOURCE = "intel_sgx_root_ca.pem";

  private final X509Certificate trustedRoot;
  private final byte[] trustedRootDer;
  private final X509Certificate simulatedRoot;
  private final byte[] simulatedRootDer;
  private final CollateralSource collateral;
  private final Clock clock;
  private final VerifiedSignatures verified = new VerifiedSignatures();
  private final ParsedChains chains = new ParsedChains();

  private DcapVerifier(Builder b) {
    this.trustedRoot = b.trustedRoot != null ? b.trustedRoot : intelSgxRootCa();
    this.trustedRootDer = encoded(trustedRoot);
    this.simulatedRoot = b.simulatedRoot;
    this.simulatedRootDer = simulatedRoot == null ? null : encoded(simulatedRoot);
    this.collateral = b.collateral;
    this.clock = b.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options of a {@link DcapVerifier}. */
  public static final class Builder {
    private X509Certificate trustedRoot;
    private X509Certificate simulatedRoot;
    private CollateralSource collateral;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The root every genuine chain must end at; default: the embedded Intel SGX Root CA. */
    public Builder trustedRoot(X509Certificate root) {
      this.trustedRoot = Objects.requireNonNull(root);
      return this;
    }

    /**
     * A software root for simulated TDX: chains ending there are verified identically but the claims say
     * {@code simulated() == true}. Unset by default, so simulated quotes fail with {@code UNTRUSTED_ROOT}.
     */
    public Builder simulatedRoot(X509Certificate root) {
      this.simulatedRoot = Objects.requireNonNull(root);
      return this;
    }

    /** Where TCB info, QE identity and CRLs come from; unset means TCB status {@code UNKNOWN}. */
    public Builder collateral(CollateralSource source) {
      this.collateral = Objects.requireNonNull(source);
      return this;
    }

    /** The clock every validity window is checked against; default the system UTC clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    public DcapVerifier build() {
      return new DcapVerifier(this);
    }
  }

  /** The pinned Intel SGX Root CA from this jar, after checking its fingerprint. */
  public static X509Certificate intelSgxRootCa() {
    try (InputStream in = DcapVerifier.class.getResourceAsStream(INTEL_ROOT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + INTEL_ROOT_RESOURCE);
      }
      X509Certificate root =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      String fingerprint = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(encoded(root)));
      if (!fingerprint.equals(INTEL_SGX_ROOT_CA_SHA256)) {
        throw new IllegalStateException("embedded Intel SGX Root CA has fingerprint " + fingerprint);
      }
      return root;
    } catch (IOException | CertificateException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot load the embedded Intel SGX Root CA", e);
    }
  }

  @Override
  public AttestationClaims verify(byte[] quoteBytes) throws AttestationException {
    Instant now = clock.instant();
    TdxQuote quote = TdxQuote.parse(quoteBytes);
    ParsedChains.Chain parsedChain = chains.of(quote.pckCertChainPem(), "PCK chain");
    List<X509Certificate> chain = parsedChain.certificates;
    if (chain.size() != 3) {
      throw new AttestationException(Reason.CHAIN_INVALID,
          "PCK chain has " + chain.size() + " certificates, expected leaf, PCK CA and root");
    }
    X509Certificate leaf = chain.get(0);
    X509Certificate pckCa = chain.get(1);
    X509Certificate root = chain.get(2);
    boolean simulated = checkRoot(root, "PCK chain");
    checkIssued(pckCa, root, false, "PCK CA");
    checkIssued(leaf, pckCa, true, "PCK leaf");
    for (X509Certificate c : chain) {
      checkValidity(c, now);
    }

    if (!verified.raw(leaf.getPublicKey(), quote.qeReport().raw(), quote.qeReportSignature())) {
      throw new AttestationException(Reason.QE_REPORT_SIGNATURE_INVALID, "QE report signature by the PCK leaf");
    }
    byte[] expected = Arrays.copyOf(sha256(quote.attestationKey(), quote.qeAuthData()), 64);
    if (!MessageDigest.isEqual(expected, quote.qeReport().reportData())) {
      throw new AttestationException(Reason.QE_REPORT_DATA_MISMATCH,
          "QE report data does not bind the attestation key and QE auth data");
    }
    if (!Ecdsa.verify(Ecdsa.publicKey(quote.attestationKey()), quote.signedBytes(), quote.signature())) {
      throw new AttestationException(Reason.QUOTE_SIGNATURE_INVALID, "quote signature by the attestation key");
    }
    PckExtensions pck = parsedChain.pckExtensions();

    TcbEvaluator.Verdict verdict = collateral == null
        ? new TcbEvaluator.Verdict(TcbStatus.UNKNOWN, List.of(), null)
        : verifyCollateral(quote, leaf, pckCa, root, pck, now);
    return claims(quote, simulated, pck, verdict);
  }

  /**
   * Collateral checks, in order: root CRL signed by the root and current, PCK CA not revoked by it
   * ({@code CRL_INVALID}, {@code COLLATERAL_EXPIRED}, {@code CERTIFICATE_REVOKED}); PCK CRL issuer chain to
   * the same root, its issuer is the quote's PCK CA, signed and current, leaf not revoked (also
   * {@code UNTRUSTED_ROOT}, {@code CHAIN_INVALID}, {@code CERTIFICATE_EXPIRED}); TCB info and QE identity:
   * issuer chain to the root, signer not revoked, signature over the exact inner JSON bytes
   * ({@code COLLATERAL_SIGNATURE_INVALID}), issueDate &lt;= now &lt;= nextUpdate ({@code COLLATERAL_EXPIRED}),
   * id TDX / TD_QE, FMSPC and PCE-ID equal to the PCK certificate's ({@code COLLATERAL_MISMATCH}); then the
   * TCB level ({@code TDX_MODULE_MISMATCH}, {@code TCB_LEVEL_NOT_FOUND}, {@code QE_IDENTITY_MISMATCH}).
   */
  private TcbEvaluator.Verdict verifyCollateral(TdxQuote quote, X509Certificate leaf, X509Certificate pckCa,
      X509Certificate root, PckExtensions pck, Instant now) throws AttestationException {
    // Intel names its two PCK CAs "Intel SGX PCK Platform CA" and "Intel SGX PCK Processor CA".
    boolean processorCa = pckCa.getSubjectX500Principal().getName().contains("Processor CA");
    Collateral c = collateral.collateralFor(pck.fmspcHex(), pck.pceIdHex(), processorCa);
    if (c == null) {
      throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, collateral + " returned no collateral");
    }

    X509CRL rootCrl = c.rootCrl();
    checkCrl(rootCrl, root, now, "root CRL");
    checkNotRevoked(rootCrl, pckCa, "PCK CA");

    List<X509Certificate> crlChain =
        issuerChain(c.pckCrlIssuerChain(), root, now, rootCrl, "PCK CRL issuer chain", false);
    if (!Arrays.equals(encoded(crlChain.get(0)), encoded(pckCa))) {
      throw new AttestationException(Reason.CRL_INVALID, "PCK CRL is not issued by the quote's PCK CA");
    }
    checkCrl(c.pckCrl(), pckCa, now, "PCK CRL");
    checkNotRevoked(c.pckCrl(), leaf, "PCK leaf");

    var tcbInfo = c.tcbInfo().value();
    checkSignedResponse(c.tcbInfo(), c.tcbInfoIssuerChain(), root, rootCrl, now, "TCB info",
        tcbInfo.issueDate(), tcbInfo.nextUpdate());
    if (!tcbInfo.id().equals("TDX") || tcbInfo.version() < 3) {
      throw new AttestationException(Reason.COLLATERAL_MISMATCH,
          "TCB info is '" + tcbInfo.id() + "' version " + tcbInfo.version() + ", expected TDX version 3");
    }
    if (!tcbInfo.fmspc().equals(pck.fmspcHex()) || !tcbInfo.pceId().equals(pck.pceIdHex())) {
      throw new AttestationException(Reason.COLLATERAL_MISMATCH, "TCB info is for FMSPC " + tcbInfo.fmspc()
          + " PCE-ID " + tcbInfo.pceId() + ", the PCK certificate for " + pck.fmspcHex() + " " + pck.pceIdHex());
    }

    var qeIdentity = c.qeIdentity().value();
    checkSignedResponse(c.qeIdentity(), c.qeIdentityIssuerChain(), root, rootCrl, now, "QE identity",
        qeIdentity.issueDate(), qeIdentity.nextUpdate());
    if (!qeIdentity.id().equals("TD_QE")) {
      throw new AttestationException(Reason.COLLATERAL_MISMATCH,
          "QE identity is '" + qeIdentity.id() + "', expected TD_QE");
    }
    return TcbEvaluator.evaluate(tcbInfo, qeIdentity, quote.body(), pck, quote.qeReport());
  }

  private void checkSignedResponse(PcsResponse<?> response, List<X509Certificate> issuerChain,
      X509Certificate root, X509CRL rootCrl, Instant now, String what, Instant issueDate, Instant nextUpdate)
      throws AttestationException {
    List<X509Certificate> chain = issuerChain(issuerChain, root, now, rootCrl, what + " issuer chain", true);
    if (!verified.raw(chain.get(0).getPublicKey(), response.signedBytes(), response.signature())) {
      throw new AttestationException(Reason.COLLATERAL_SIGNATURE_INVALID, what + " signature");
    }
    if (now.isBefore(issueDate) || now.isAfter(nextUpdate)) {
      throw new AttestationException(Reason.COLLATERAL_EXPIRED,
          what + " is valid " + issueDate + " .. " + nextUpdate + ", not at " + now);
    }
  }

  /**
   * A two-certificate issuer chain (signer, root) ending at the root the quote's chain ended at; an
   * {@code endEntity} signer (TCB Signing) must not be a CA, a CA signer (PCK CA of the CRL) must be one.
   */
  private List<X509Certificate> issuerChain(List<X509Certificate> chain, X509Certificate root, Instant now,
      X509CRL rootCrl, String what, boolean endEntity) throws AttestationException {
    if (chain.size() != 2) {
      throw new AttestationException(Reason.CHAIN_INVALID, what + " has " + chain.size() + " certificates");
    }
    if (!Arrays.equals(encoded(chain.get(1)), encoded(root))) {
      throw new AttestationException(Reason.UNTRUSTED_ROOT, what + " does not end at the trusted root");
    }
    checkIssued(chain.get(0), root, endEntity, what);
    checkValidity(chain.get(0), now);
    checkNotRevoked(rootCrl, chain.get(0), what);
    return chain;
  }

  /** True when {@code root} is the simulated root, false for the trusted root; otherwise rejects. */
  private boolean checkRoot(X509Certificate root, String what) throws AttestationException {
    byte[] der = encoded(root);
    if (Arrays.equals(der, trustedRootDer)) {
      return false;
    }
    if (simulatedRootDer != null && Arrays.equals(der, simulatedRootDer)) {
      return true;
    }
    throw new AttestationException(Reason.UNTRUSTED_ROOT, what + " ends at " + root.getSubjectX500Principal());
  }

  /** {@code cert} is signed by {@code issuer}, a CA; an end-entity {@code cert} must not itself be a CA. */
  private void checkIssued(X509Certificate cert, X509Certificate issuer, boolean endEntity, String what)
      throws AttestationException {
    if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw new AttestationException(Reason.CHAIN_INVALID, what + " is not issued by the next certificate");
    }
    boolean[] issuerUsage = issuer.getKeyUsage();
    if (issuer.getBasicConstraints() < 0 || (issuerUsage != null && !issuerUsage[5])) {
      throw new AttestationException(Reason.CHAIN_INVALID, what + " issuer is not a certificate authority");
    }
    if (endEntity) {
      boolean[] usage = cert.getKeyUsage();
      if (cert.getBasicConstraints() >= 0 || (usage != null && !usage[0])) {
        throw new AttestationException(Reason.CHAIN_INVALID, what + " is a CA or may not sign data");
      }
    }
    if (!verified.certificate(cert, issuer.getPublicKey())) {
      throw new AttestationException(Reason.CHAIN_INVALID, what + " signature does not verify");
    }
  }

  private static void checkValidity(X509Certificate cert, Instant now) throws AttestationException {
    if (now.isBefore(cert.getNotBefore().toInstant()) || now.isAfter(cert.getNotAfter().toInstant())) {
      throw new AttestationException(Reason.CERTIFICATE_EXPIRED, "certificate "
          + cert.getSubjectX500Principal() + " is valid " + cert.getNotBefore().toInstant() + " .. "
          + cert.getNotAfter().toInstant() + ", not at " + now);
    }
  }

  private void checkCrl(X509CRL crl, X509Certificate issuer, Instant now, String what)
      throws AttestationException {
    if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
      throw new AttestationException(Reason.CRL_INVALID, what + " is issued by " + crl.getIssuerX500Principal());
    }
    if (!verified.crl(crl, issuer.getPublicKey())) {
      throw new AttestationException(Reason.CRL_INVALID, what + " signature does not verify");
    }
    Date next = crl.getNextUpdate();
    if (now.isBefore(crl.getThisUpdate().toInstant()) || next == null || now.isAfter(next.toInstant())) {
      throw new AttestationException(Reason.COLLATERAL_EXPIRED, what + " is valid "
          + crl.getThisUpdate().toInstant() + " .. " + (next == null ? "?" : next.toInstant()) + ", not at " + now);
    }
  }

  private static void checkNotRevoked(X509CRL crl, X509Certificate cert, String what)
      throws AttestationException {
    if (crl.getRevokedCertificate(cert.getSerialNumber()) != null) {
      throw new AttestationException(Reason.CERTIFICATE_REVOKED,
          what + " serial " + cert.getSerialNumber().toString(16) + " is revoked");
    }
  }

  private static AttestationClaims claims(TdxQuote quote, boolean simulated, PckExtensions pck,
      TcbEvaluator.Verdict verdict) {
    HexFormat hex = HexFormat.of();
    TdReport b = quote.body();
    List<String> rtmrs = new ArrayList<>(4);
    for (int i = 0; i < 4; i++) {
      rtmrs.add(hex.formatHex(b.rtmr(i)));
    }
    return new AttestationClaims(quote.version(), simulated, verdict.status(), verdict.advisoryIds(), b.debug(),
        hex.formatHex(b.teeTcbSvn()), hex.formatHex(b.mrSeam()), hex.formatHex(b.mrSignerSeam()),
        hex.formatHex(b.seamAttributes()), hex.formatHex(b.tdAttributes()), hex.formatHex(b.xfam()),
        hex.formatHex(b.mrTd()), hex.formatHex(b.mrConfigId()), hex.formatHex(b.mrOwner()),
        hex.formatHex(b.mrOwnerConfig()), rtmrs, hex.formatHex(b.reportData()), pck.fmspcHex(),
        b.teeTcbSvn2().map(hex::formatHex).orElse(""), b.mrServiceTd().map(hex::formatHex).orElse(""),
        verdict.tcbDate() == null ? "" : verdict.tcbDate().toString());
  }

  private static byte[] sha256(byte[] a, byte[] b) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(a);
      md.update(b);
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private static byte[] encoded(X509Certificate cert) {
    try {
      return cert.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded", e);
    }
  }
}
