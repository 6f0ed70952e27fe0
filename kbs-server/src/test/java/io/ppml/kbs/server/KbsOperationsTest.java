package io.ppml.kbs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.attestation.kbs.KbsClientException;
import io.ppml.core.error.KmsException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.secret.SecretBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health, readiness, metrics, backup/restore and the client's transport errors. */
class KbsOperationsTest {
  @TempDir Path dir;

  @Test
  void healthReadinessAndMetrics() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      assertEquals(200, kbs.send("GET", "/healthz", null).statusCode());
      HttpResponse<String> ready = kbs.send("GET", "/readyz", null);
      assertEquals(200, ready.statusCode());
      kbs.send("GET", "/kbs/v0/admin/keys", null);
      String metrics = kbs.send("GET", "/metrics", null).body();
      assertTrue(metrics.contains("kbs_requests_total{endpoint=\"GET /readyz\",status=\"200\"} 1"), metrics);
      assertTrue(metrics.contains("kbs_denials_total{reason=\"admin-unauthenticated\"} 1"), metrics);
      assertTrue(metrics.contains("kbs_request_duration_seconds_count{endpoint=\"GET /healthz\"} 1"), metrics);
    }
  }

  @Test
  void onlyTls13IsSpoken() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir)) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("ca", kbs.server.caCertificate());
      javax.net.ssl.TrustManagerFactory tmf =
          javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.2");
      ctx.init(null, tmf.getTrustManagers(), null);
      java.net.http.HttpClient tls12 = java.net.http.HttpClient.newBuilder().sslContext(ctx)
          .sslParameters(new javax.net.ssl.SSLParameters(null, new String[] {"TLSv1.2"})).build();
      assertThrows(java.io.IOException.class, () -> tls12.send(java.net.http.HttpRequest.newBuilder(
          kbs.url().resolve("/healthz")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()));
      assertEquals(200, kbs.send("GET", "/healthz", null).statusCode());
    }
  }

  @Test
  void backupRestoresOnlyWithTheSameRootKey() throws Exception {
    Path a = dir.resolve("a");
    DataKey dk;
    try (KbsFixture kbs = KbsFixture.start(a); KbsClient admin = kbs.adminClient(); KbsClient c = kbs.workload()) {
      admin.createKey("customers");
      dk = c.generateDataKey("customers");
    }
    Path backup = dir.resolve("backup.json");
    assertEquals(1, KbsBackup.backup(a, backup)); // keys.json (no resources stored)
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(backup)));
    assertTrue(!Files.readString(backup).contains("root.key"));

    Path b = dir.resolve("b");
    KbsBackup.restore(backup, b);
    assertThrows(KmsException.class, () -> KbsBackup.restore(backup, b));
    // Same root key: everything works.
    Files.copy(a.resolve("keys/root.key"), b.resolve("keys/root.key"));
    copyDevCredentials(a, b);
    try (KbsFixture kbs = KbsFixture.start(b); KbsClient c = kbs.workload(); SecretBytes k = c.unwrap(dk.wrapped())) {
      assertTrue(k.sameAs(dk.plaintext()));
    }
    // Another root key: the KBS refuses to start.
    Path other = dir.resolve("other");
    KbsBackup.restore(backup, other);
    byte[] wrongRoot = new byte[32];
    new SecureRandom().nextBytes(wrongRoot);
    Files.write(other.resolve("keys/root.key"), wrongRoot);
    Files.setPosixFilePermissions(other.resolve("keys/root.key"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    copyDevCredentials(a, other);
    assertThrows(KmsException.class, () -> KbsFixture.start(other).close());
  }

  private static void copyDevCredentials(Path from, Path to) throws Exception {
    for (String f : new String[] {DevKbs.CA, DevKbs.CA_KEY, DevKbs.TLS, DevKbs.TLS_KEY, DevKbs.ADMIN_KEY,
        DevKbs.ADMIN_PUBLIC, DevKbs.ATTESTATION_POLICY, DevKbs.RESOURCE_POLICY}) {
      Files.copy(from.resolve(f), to.resolve(f));
    }
    Files.createDirectories(to.resolve(DevKbs.SIMULATED));
    try (var s = Files.list(from.resolve(DevKbs.SIMULATED))) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          Files.copy(p, to.resolve(DevKbs.SIMULATED).resolve(p.getFileName()));
        }
      }
    }
  }

  @Test
  void clientNamesUnreachableAndUntrustedKbs() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (KbsFixture kbs = KbsFixture.start(dir.resolve("k"))) {
      KbsClient down = KbsClient.builder().url(URI.create("https://127.0.0.1:" + port))
          .caPem(kbs.dir.resolve(DevKbs.CA)).evidence(kbs.tdx).retries(2, Duration.ofMillis(10)).build();
      KbsClientException e = assertThrows(KbsClientException.class, () -> down.generateDataKey("x"));
      assertEquals(KbsClientException.UNREACHABLE, e.serverError());

      CertificateAuthority otherCa = CertificateAuthority.generate("other", Clock.systemUTC(), new SecureRandom());
      KbsClient untrusting = KbsClient.builder().url(kbs.url()).ca(otherCa.certificate()).evidence(kbs.tdx).build();
      KbsClientException t = assertThrows(KbsClientException.class, () -> untrusting.generateDataKey("x"));
      assertEquals(KbsClientException.UNTRUSTED_CERTIFICATE, t.serverError());
    }
  }

  @Test
  void clientSendsNothingOverAConnectionThatIsNotTls13() throws Exception {
    DevKbs.prepare(dir, 0, Clock.systemUTC());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("tls", Pem.readPrivateKey(dir.resolve(DevKbs.TLS_KEY)), new char[0],
        Pem.readCertificates(dir.resolve(DevKbs.TLS)).toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    String previous = System.getProperty("https.protocols");
    // A JVM-wide setting that lets HTTPS clients offer TLS 1.2 as well, and a server that speaks only 1.2.
    System.setProperty("https.protocols", "TLSv1.2,TLSv1.3");
    try (SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      server.setEnabledProtocols(new String[] {"TLSv1.2"});
      Thread peer = new Thread(() -> {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.startHandshake();
          s.getInputStream().transferTo(received);
        } catch (IOException e) {
          // the client hung up
        }
      });
      peer.start();
      try (KbsClient client = KbsClient.builder().url(URI.create("https://127.0.0.1:" + server.getLocalPort()))
          .caPem(dir.resolve(DevKbs.CA)).evidence(SimulatedTdx.load(dir.resolve(DevKbs.SIMULATED)))
          .retries(1, Duration.ofMillis(10)).build()) {
        KbsClientException e = assertThrows(KbsClientException.class, () -> client.generateDataKey("x"));
        assertEquals(KbsClientException.UNTRUSTED_CERTIFICATE, e.serverError());
      }
      peer.join(10_000);
      assertEquals(0, received.size(), "bytes sent over TLS 1.2");
    } finally {
      if (previous == null) {
        System.clearProperty("https.protocols");
      } else {
        System.setProperty("https.protocols", previous);
      }
    }
  }

  @Test
  void clientRefusesACertificateFromTheTrustedCaForAnotherName() throws Exception {
    Path state = dir.resolve("k");
    DevKbs.prepare(state, 0, Clock.systemUTC());
    CertificateAuthority ca = new CertificateAuthority(Pem.readCertificates(state.resolve(DevKbs.CA)).get(0),
        Pem.readPrivateKey(state.resolve(DevKbs.CA_KEY)), Clock.systemUTC(), new SecureRandom());
    KeyPair key = CertificateAuthority.newKeyPair(new SecureRandom());
    Path cert = state.resolve("other-name.pem");
    Path certKey = state.resolve("other-name-key.pem");
    Pem.writePublic(cert, Pem.encode(ca.issueServer(key.getPublic(), List.of("kbs.invalid"),
        Duration.ofDays(1)), ca.certificate()));
    Pem.writePrivate(certKey, key.getPrivate());
    try (KbsFixture kbs = KbsFixture.start(state, Clock.systemUTC(), b -> b.tls(cert, certKey));
         KbsClient client = kbs.workload()) {
      KbsClientException e = assertThrows(KbsClientException.class, () -> client.generateDataKey("x"));
      assertEquals(KbsClientException.UNTRUSTED_CERTIFICATE, e.serverError());
    }
  }
}
