package io.ppml.spark.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Connects to one of this JVM's Spark TLS ports as a client without a certificate and expects to be refused.
 * This checks the running Spark rather than its version number: if a Spark release stopped creating its engines
 * through the configured {@code SSLContext}, the probe gets in and the JVM refuses to run the job.
 */
public final class ClientAuthProbe {
  private static final int TIMEOUT_MS = 3000;

  private ClientAuthProbe() {}

  /** Throws {@link IllegalStateException} unless {@code host:port} refuses a client without a certificate. */
  public static void requireRefusal(String what, String host, int port) {
    if (accepts(client(null), new InetSocketAddress(host, port))) {
      throw new IllegalStateException(what + " at " + host + ":" + port + " accepted a TLS client without a "
          + "certificate: mutual TLS is not in force in this Spark (see " + ProtectionCheck.class.getName() + ")");
    }
  }

  /**
   * Whether the TLS server at {@code address} accepts a connection from {@code client}. TLS 1.3 servers judge
   * the client certificate after the client has finished its handshake: a refusal arrives as an alert, an
   * exception on the first read. Anything else after one byte that is not a whole request (an answer, the
   * server closing the connection, or waiting for more) means the server took the client in.
   */
  public static boolean accepts(SSLContext client, InetSocketAddress address) {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket()) {
      socket.connect(address, TIMEOUT_MS);
      socket.setSoTimeout(TIMEOUT_MS);
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(0);
      out.flush();
      InputStream in = socket.getInputStream();
      in.read();
      return true;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A TLS 1.3 client presenting the credentials of {@code keys} (none if null) and trusting any server: probes
   * are about what the server demands of the client, not about the server's identity.
   */
  public static SSLContext client(KeyManager[] keys) {
    try {
      SSLContext c = SSLContext.getInstance("TLSv1.3", "SunJSSE");
      c.init(keys, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, new SecureRandom());
      return c;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot create the TLS probe client", e);
    }
  }
}
