package io.ppml.attestation.kbs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One blocking HTTPS/1.1 exchange at a time per calling thread, over connections kept alive between requests:
 * the JDK's {@link HttpsURLConnection}, whose request, TLS and response all run on the caller's thread. (The
 * asynchronous {@code java.net.http.HttpClient} hands every response across a selector thread and an executor
 * before the caller wakes, which costs about twice the CPU per key request.)
 *
 * <p>Every socket this transport opens is TLS 1.3 only and checks the server's name against its certificate
 * during the handshake (endpoint identification {@code HTTPS}), whatever default hostname verifier the JVM
 * has; a connection that negotiated anything but TLS 1.3 is dropped before a request is sent.
 *
 * <p>Idle connections are kept by the JDK's keep-alive cache under this transport's own socket factory, so no
 * other client shares them. That cache keeps at most {@code http.maxConnections} (default 5) idle connections
 * per factory, so at most that many requests run at once and every connection is reused rather than closed
 * and handshaken again. {@link #close} closes every connection this transport opened.
 */
final class HttpsTransport implements AutoCloseable {
  private static final String TLS_1_3 = "TLSv1.3";
  private static final int DEFAULT_KEEP_ALIVE_CONNECTIONS = 5;
  /** Answers up to this size are read into an array of their declared length, not grown from 8 KiB. */
  private static final int MAX_SIZED_BODY = 1 << 20;

  /** A response: status, body (empty when there is none) and the {@code Set-Cookie} header values. */
  record Response(int status, byte[] body, List<String> setCookies) {}

  private final TrackingSocketFactory sockets;
  private final int connectTimeoutMillis;
  private final int readTimeoutMillis;
  private final Semaphore inFlight;

  HttpsTransport(SSLContext tls, Duration connectTimeout, Duration readTimeout) {
    this.sockets = new TrackingSocketFactory(tls.getSocketFactory());
    this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
    this.readTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis());
    this.inFlight = new Semaphore(keepAliveConnections(), true);
  }

  /** The JDK keep-alive cache's capacity per destination, read as the JDK reads it. */
  private static int keepAliveConnections() {
    int configured = Integer.getInteger("http.maxConnections", DEFAULT_KEEP_ALIVE_CONNECTIONS);
    return configured > 0 ? configured : DEFAULT_KEEP_ALIVE_CONNECTIONS;
  }

  /**
   * Sends one request and reads the whole response. {@code body} may be null (no body); {@code headers} are
   * name/value pairs.
   *
   * @throws IOException connection, TLS or read failure (an {@code SSLHandshakeException} when the server's
   *     certificate is not trusted or not for this host)
   * @throws InterruptedException while waiting for a free connection
   */
  Response exchange(String method, URI uri, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    inFlight.acquire();
    try {
      HttpsURLConnection c = (HttpsURLConnection) uri.toURL().openConnection();
      c.setSSLSocketFactory(sockets);
      c.setConnectTimeout(connectTimeoutMillis);
      c.setReadTimeout(readTimeoutMillis);
      c.setUseCaches(false);
      c.setInstanceFollowRedirects(false);
      c.setRequestMethod(method);
      headers.forEach(c::setRequestProperty);
      c.setDoOutput(body != null);
      c.connect();
      // JVM-wide settings (https.protocols) can widen what the socket offers; nothing is sent unless this is 1.3.
      String protocol = c.getSSLSession().map(SSLSession::getProtocol).orElse("none");
      if (!TLS_1_3.equals(protocol)) {
        c.disconnect();
        throw new SSLHandshakeException("connection to " + uri.getHost() + " uses " + protocol + ", not " + TLS_1_3);
      }
      if (body != null) {
        // Buffered, not streamed: request line, headers and body then leave in one write, one TLS record, and
        // the server finds the whole body in the first read instead of waiting for a second packet.
        try (OutputStream out = c.getOutputStream()) {
          out.write(body);
        }
      }
      int status = c.getResponseCode();
      long length = c.getContentLengthLong();
      byte[] bytes;
      // Reading the body to its end and closing the stream hands the connection back for reuse.
      try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        bytes = in == null ? new byte[0]
            : length >= 0 && length <= MAX_SIZED_BODY ? in.readNBytes((int) length) : in.readAllBytes();
      }
      List<String> cookies = new ArrayList<>();
      for (int i = 1; c.getHeaderFieldKey(i) != null; i++) {
        if ("set-cookie".equalsIgnoreCase(c.getHeaderFieldKey(i))) {
          cookies.add(c.getHeaderField(i));
        }
      }
      return new Response(status, bytes, cookies);
    } finally {
      inFlight.release();
    }
  }

  @Override
  public void close() {
    sockets.closeAll();
  }

  /**
   * Configures every socket for TLS 1.3 with host name checking and without Nagle's delay, and remembers it
   * until it is closed.
   */
  private static final class TrackingSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    TrackingSocketFactory(SSLSocketFactory delegate) {
      this.delegate = delegate;
    }

    private Socket configured(Socket s) throws IOException {
      s.setTcpNoDelay(true); // each request is one write; never hold it back waiting for an ACK
      if (s instanceof SSLSocket ssl) {
        SSLParameters p = ssl.getSSLParameters();
        p.setProtocols(new String[] {TLS_1_3});
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
      }
      open.removeIf(Socket::isClosed);
      open.add(s);
      return s;
    }

    void closeAll() {
      for (Socket s : open) {
        try {
          s.close();
        } catch (IOException e) {
          // closing anyway; nothing more to release
        }
      }
      open.clear();
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return configured(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return configured(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configured(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return configured(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configured(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return configured(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
