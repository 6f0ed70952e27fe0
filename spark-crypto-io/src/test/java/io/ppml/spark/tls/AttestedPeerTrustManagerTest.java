package io.ppml.spark.tls;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.kbs.KbsClient;
import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsServer;
import io.ppml.kbs.server.Pem;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Peers are accepted with a workload certificate from the broker's CA only, in the role it was issued for. */
class AttestedPeerTrustManagerTest {
  @TempDir static Path dir;
  private static KbsServer kbs;
  private static X509Certificate ca;
  private static X509Certificate[] workload;
  private static X509Certificate[] brokerServer;
  private static X509Certificate[] otherBrokersWorkload;

  @BeforeAll
  static void issueCertificates() throws Exception {
    Path state = dir.resolve("kbs");
    kbs = KbsServer.start(DevKbs.prepare(state, 0, Clock.systemUTC()));
    ca = Pem.readCertificates(state.resolve(DevKbs.CA)).get(0);
    workload = issue(state);
    brokerServer = Pem.readCertificates(state.resolve(DevKbs.TLS)).toArray(X509Certificate[]::new);
    kbs.close();
    Path other = dir.resolve("other-kbs");
    kbs = KbsServer.start(DevKbs.prepare(other, 0, Clock.systemUTC()));
    otherBrokersWorkload = issue(other);
  }

  @AfterAll
  static void stop() {
    kbs.close();
  }

  private static X509Certificate[] issue(Path state) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = g.generateKeyPair();
    try (KbsClient client = new KbsClientConfig(kbs.url(), state.resolve(DevKbs.CA), "simulated",
        state.resolve(DevKbs.SIMULATED), null, null).newClient()) {
      KbsClient.WorkloadCertificate c = client.certificate(key);
      return new X509Certificate[] {c.certificate(), c.ca()};
    }
  }

  @Test
  void acceptsAnAttestedWorkloadAsClientAndServer() throws Exception {
    AttestedPeerTrustManager tm = new AttestedPeerTrustManager(ca);
    tm.checkClientTrusted(workload, "EC");
    tm.checkServerTrusted(workload, "EC");
    tm.checkClientTrusted(new X509Certificate[] {workload[0]}, "EC");
  }

  @Test
  void refusesTheBrokersOwnCertificateThoughItChainsToTheSameCa() {
    AttestedPeerTrustManager tm = new AttestedPeerTrustManager(ca);
    CertificateException e = assertThrows(CertificateException.class, () -> tm.checkClientTrusted(brokerServer, "EC"));
    assertTrue(e.getMessage().contains("not issued to an attested workload"), e.getMessage());
    assertThrows(CertificateException.class, () -> tm.checkServerTrusted(brokerServer, "EC"));
  }

  @Test
  void refusesAWorkloadOfAnotherBroker() {
    AttestedPeerTrustManager tm = new AttestedPeerTrustManager(ca);
    CertificateException e = assertThrows(CertificateException.class,
        () -> tm.checkClientTrusted(otherBrokersWorkload, "EC"));
    assertTrue(e.getMessage().contains("does not chain to the key broker's workload CA"), e.getMessage());
  }

  @Test
  void refusesNoCertificate() {
    AttestedPeerTrustManager tm = new AttestedPeerTrustManager(ca);
    assertThrows(CertificateException.class, () -> tm.checkClientTrusted(new X509Certificate[0], "EC"));
  }
}
