package io.ppml.spark.tls;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * The TLS identity of an attested JVM: a key pair generated in this process and the certificate the key
 * broker issued for it after attestation, with the broker's workload CA. The private key never leaves the
 * process; nothing of this is written to disk.
 */
public record WorkloadIdentity(KeyPair keyPair, X509Certificate certificate, X509Certificate ca) {
  public WorkloadIdentity {
    Objects.requireNonNull(keyPair, "keyPair");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(ca, "ca");
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** The subject of the certificate, for log lines (public). */
  public String subject() {
    return certificate.getSubjectX500Principal().getName();
  }
}
