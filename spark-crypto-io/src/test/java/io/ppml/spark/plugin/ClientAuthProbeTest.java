package io.ppml.spark.plugin;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** The plugin's probe stops a JVM whose TLS server lets a client in without a certificate. */
class ClientAuthProbeTest {
  private static SSLServerSocket server(boolean needClientAuth) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair key = g.generateKeyPair();
    X500Name name = new X500Name("CN=probe-test");
    X509Certificate cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
        BigInteger.ONE, new Date(System.currentTimeMillis() - 60_000), new Date(System.currentTimeMillis() + 3_600_000),
        name, key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test-only".toCharArray();
    store.setKeyEntry("server", key.getPrivate(), password, new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(store, password);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf.getKeyManagers(), null, null);
    SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 5, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(needClientAuth);
    Thread accepting = new Thread(() -> {
      while (!server.isClosed()) {
        try (SSLSocket s = (SSLSocket) server.accept()) {
          s.getInputStream().read(); // a server waiting for a request, as Spark's does
        } catch (Exception e) {
          // refused client or closed server
        }
      }
    });
    accepting.setDaemon(true);
    accepting.start();
    return server;
  }

  @Test
  void aServerThatAcceptsAClientWithoutCertificateIsRejected() throws Exception {
    try (SSLServerSocket server = server(false)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> ClientAuthProbe.requireRefusal("test server", "127.0.0.1", server.getLocalPort()));
      assertTrue(e.getMessage().contains("accepted a TLS client without a certificate"), e.getMessage());
    }
  }

  @Test
  void aServerThatRequiresAClientCertificatePasses() throws Exception {
    try (SSLServerSocket server = server(true)) {
      assertDoesNotThrow(() -> ClientAuthProbe.requireRefusal("test server", "127.0.0.1", server.getLocalPort()));
    }
  }
}
