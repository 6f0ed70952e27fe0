package io.ppml.kbs.server;

import io.ppml.core.error.IntegrityException;
import io.ppml.core.error.KeyAccessDeniedException;
import io.ppml.core.error.KeyExistsException;
import io.ppml.core.error.MalformedInputException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.kms.DerivedKey;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.core.kms.PrimaryKeyInfo;
import io.ppml.core.kms.WrappedKey;
import io.ppml.core.secret.SecretBytes;
import io.ppml.kbs.server.ResourcePolicy.Decision;
import io.ppml.kbs.server.ResourcePolicy.Operation;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/**
 * The key operations attested workloads and admins may request: each one is decided by the resource policy
 * (workloads) or needs an admin (admin operations), recorded in the audit log with its decision and rule,
 * and only then carried out against the key store. An audit record that cannot be written fails the request.
 */
final class KeyBroker {
  private final LocalKms kms;
  private final ResourceStore resources;
  private final AuditLog audit;
  private final CertificateAuthority ca;
  private final Duration maxCertificateValidity;
  private volatile ResourcePolicy policy;

  KeyBroker(LocalKms kms, ResourceStore resources, AuditLog audit, CertificateAuthority ca,
      Duration maxCertificateValidity, ResourcePolicy policy) {
    this.kms = kms;
    this.resources = resources;
    this.audit = audit;
    this.ca = ca;
    this.maxCertificateValidity = maxCertificateValidity;
    this.policy = policy;
  }

  DataKey generate(AttestedWorkload w, String keyName) throws KbsApiException {
    authorize(w, Operation.GENERATE, keyName);
    try {
      return kms.generateDataKey(keyName);
    } catch (PpmlException | IllegalArgumentException e) {
      throw mapped(e);
    }
  }

  WrappedKey wrap(AttestedWorkload w, String keyName, SecretBytes key) throws KbsApiException {
    authorize(w, Operation.WRAP, keyName);
    try {
      return kms.wrap(keyName, key);
    } catch (PpmlException | IllegalArgumentException e) {
      throw mapped(e);
    }
  }

  SecretBytes unwrap(AttestedWorkload w, WrappedKey wrapped) throws KbsApiException {
    authorize(w, Operation.UNWRAP, wrapped.keyName());
    try {
      return kms.unwrap(wrapped);
    } catch (PpmlException | IllegalArgumentException e) {
      throw mapped(e);
    }
  }

  WrappedKey rewrap(AttestedWorkload w, WrappedKey wrapped) throws KbsApiException {
    authorize(w, Operation.REWRAP, wrapped.keyName());
    try {
      return kms.rewrap(wrapped);
    } catch (PpmlException | IllegalArgumentException e) {
      throw mapped(e);
    }
  }

  DerivedKey derive(AttestedWorkload w, String keyName, int version, String purpose) throws KbsApiException {
    authorize(w, Operation.DERIVE, keyName);
    try {
      return kms.deriveKey(keyName, version, purpose);
    } catch (PpmlException | IllegalArgumentException e) {
      throw mapped(e);
    }
  }

  byte[] resource(AttestedWorkload w, String path) throws KbsApiException {
    authorize(w, Operation.RESOURCE, path);
    try {
      byte[] value = resources.get(path);
      if (value == null) {
        throw new KbsApiException(KbsError.RESOURCE_NOT_FOUND, "no resource " + path);
      }
      return value;
    } catch (PpmlException e) {
      throw mapped(e);
    }
  }

  /**
   * Signs a workload certificate for a PKCS#10 CSR whose public key is the one bound into the attested
   * runtime data ({@code csr-pubkey-sha256}); the subject is the workload identity the policy names.
   */
  X509Certificate certificate(AttestedWorkload w, byte[] csrDer) throws KbsApiException {
    PKCS10CertificationRequest csr;
    PublicKey key;
    try {
      csr = new PKCS10CertificationRequest(csrDer);
      var alg = csr.getSubjectPublicKeyInfo().getAlgorithm();
      if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())
          || !SECObjectIdentifiers.secp256r1.equals(alg.getParameters())) {
        throw new KbsApiException(KbsError.CSR_INVALID, "CSR key must be EC P-256");
      }
      key = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
    } catch (IOException | RuntimeException e) {
      throw new KbsApiException(KbsError.CSR_INVALID, "CSR is not a PKCS#10 request");
    }
    try {
      if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new KbsApiException(KbsError.CSR_INVALID, "CSR self-signature does not verify");
      }
    } catch (PKCSException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new KbsApiException(KbsError.CSR_INVALID, "CSR self-signature cannot be checked");
    }
    String keyHash;
    try {
      keyHash = io.ppml.attestation.kbs.RuntimeData.publicKeySha256(csr.getSubjectPublicKeyInfo().getEncoded());
    } catch (IOException e) {
      throw new KbsApiException(KbsError.CSR_INVALID, "CSR key cannot be encoded");
    }
    if (w.csrPublicKeySha256() == null || !w.csrPublicKeySha256().equals(keyHash)) {
      record("certificate", w.subject(), "deny", "csr-key-binding", keyHash);
      throw new KbsApiException(KbsError.CSR_KEY_NOT_BOUND,
          "CSR key is not the key bound into the attested runtime data");
    }
    Decision d = authorize(w, Operation.CERTIFICATE, "");
    try {
      return ca.issueWorkload(key, d.workload(), maxCertificateValidity);
    } catch (GeneralSecurityException e) {
      throw new KbsApiException(KbsError.INTERNAL, "cannot sign certificate");
    }
  }

  X509Certificate caCertificate() {
    return ca.certificate();
  }

  // ---- admin operations (the caller authenticated the admin) ----

  PrimaryKeyInfo createKey(String admin, String name) throws KbsApiException {
    return adminOp(admin, "admin.create-key", name, () -> kms.createKey(name));
  }

  PrimaryKeyInfo rotateKey(String admin, String name) throws KbsApiException {
    return adminOp(admin, "admin.rotate-key", name, () -> kms.rotateKey(name));
  }

  /** Disables or re-enables a primary key; while disabled every workload operation on it is key-disabled. */
  PrimaryKeyInfo setKeyEnabled(String admin, String name, boolean enabled) throws KbsApiException {
    return adminOp(admin, enabled ? "admin.enable-key" : "admin.disable-key", name,
        () -> kms.setEnabled(name, enabled));
  }

  List<PrimaryKeyInfo> listKeys(String admin) throws KbsApiException {
    return adminOp(admin, "admin.list-keys", null, kms::listKeys);
  }

  void putResource(String admin, String path, byte[] value) throws KbsApiException {
    adminOp(admin, "admin.put-resource", path, () -> {
      resources.put(path, value);
      return null;
    });
  }

  void replaceResourcePolicy(String admin, ResourcePolicy next) throws KbsApiException {
    record("admin.replace-resource-policy", "admin:" + admin, "allow", "admin", next.source());
    policy = next;
  }

  AuditLog audit() {
    return audit;
  }

  KeyManagementService kms() {
    return kms;
  }

  interface StoreCall<T> {
    T run() throws PpmlException;
  }

  private <T> T adminOp(String admin, String event, String target, StoreCall<T> call) throws KbsApiException {
    record(event, "admin:" + admin, "allow", "admin", target);
    try {
      return call.run();
    } catch (PpmlException | IllegalArgumentException e) {
      throw mapped(e);
    }
  }

  private Decision authorize(AttestedWorkload w, Operation op, String target) throws KbsApiException {
    Decision d = policy.decide(w, op, target);
    record(op.wireName(), w.subject(), d.allowed() ? "allow" : "deny", d.rule(), target.isEmpty() ? null : target);
    if (!d.allowed()) {
      throw new KbsApiException(KbsError.ACCESS_DENIED,
          op.wireName() + " on '" + target + "' denied by resource policy", List.of(d.rule()));
    }
    return d;
  }

  void record(String event, String subject, String decision, String rule, String target) throws KbsApiException {
    try {
      audit.append(new AuditLog.Event(event, subject, decision, rule, target));
    } catch (IOException e) {
      throw new KbsApiException(KbsError.UNAVAILABLE, "audit log cannot be written");
    }
  }

  static KbsApiException mapped(Exception e) {
    if (e instanceof UnknownKeyException u) {
      return new KbsApiException(KbsError.UNKNOWN_KEY, u.getMessage());
    }
    if (e instanceof KeyAccessDeniedException) {
      return new KbsApiException(KbsError.KEY_DISABLED, e.getMessage());
    }
    if (e instanceof IntegrityException) {
      return new KbsApiException(KbsError.WRAPPED_KEY_INVALID, "wrapped key did not authenticate");
    }
    if (e instanceof KeyExistsException) {
      return new KbsApiException(KbsError.KEY_EXISTS, e.getMessage());
    }
    if (e instanceof MalformedInputException || e instanceof IllegalArgumentException) {
      return new KbsApiException(KbsError.INVALID_REQUEST, e.getMessage());
    }
    return new KbsApiException(KbsError.UNAVAILABLE, "key store failed");
  }
}
