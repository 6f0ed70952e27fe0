package io.ppml.spark.tls;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An {@link SSLEngine} that always requires a client certificate when it acts as a server and speaks TLS 1.3
 * only, whatever its user asks. Spark's {@code SSLFactory} calls {@code setNeedClientAuth(false)} on every
 * engine it creates; this wrapper is how mutual TLS survives that call. Everything else is delegated.
 */
final class ClientAuthRequiringEngine extends SSLEngine {
  static final String[] PROTOCOLS = {"TLSv1.3"};
  private static final String[] PREFERRED_SUITES =
      {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
  private final SSLEngine engine;

  ClientAuthRequiringEngine(SSLEngine engine) {
    super(engine.getPeerHost(), engine.getPeerPort());
    this.engine = engine;
    engine.setEnabledProtocols(PROTOCOLS);
    engine.setEnabledCipherSuites(PREFERRED_SUITES);
    engine.setNeedClientAuth(true);
  }

  @Override
  public void setNeedClientAuth(boolean need) {
    engine.setNeedClientAuth(true);
  }

  @Override
  public void setWantClientAuth(boolean want) {
    engine.setNeedClientAuth(true);
  }

  @Override
  public void setEnabledProtocols(String[] protocols) {
    engine.setEnabledProtocols(PROTOCOLS);
  }

  @Override
  public void setSSLParameters(SSLParameters params) {
    params.setProtocols(PROTOCOLS);
    params.setNeedClientAuth(true);
    engine.setSSLParameters(params);
  }

  @Override
  public void setUseClientMode(boolean mode) {
    engine.setUseClientMode(mode);
    engine.setNeedClientAuth(true);
  }

  @Override
  public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
    return engine.wrap(srcs, offset, length, dst);
  }

  @Override
  public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
    return engine.unwrap(src, dsts, offset, length);
  }

  @Override
  public Runnable getDelegatedTask() {
    return engine.getDelegatedTask();
  }

  @Override
  public void closeInbound() throws SSLException {
    engine.closeInbound();
  }

  @Override
  public boolean isInboundDone() {
    return engine.isInboundDone();
  }

  @Override
  public void closeOutbound() {
    engine.closeOutbound();
  }

  @Override
  public boolean isOutboundDone() {
    return engine.isOutboundDone();
  }

  @Override
  public String[] getSupportedCipherSuites() {
    return engine.getSupportedCipherSuites();
  }

  @Override
  public String[] getEnabledCipherSuites() {
    return engine.getEnabledCipherSuites();
  }

  /**
   * Keeps the TLS 1.3 suites of {@code suites}, AES-GCM first: Spark lists ChaCha20-Poly1305 first, and a JDK
   * server follows the client's order, but the JDK's AES-GCM runs on the CPU's AES instructions and is several
   * times faster than its ChaCha20.
   */
  @Override
  public void setEnabledCipherSuites(String[] suites) {
    List<String> ordered = new java.util.ArrayList<>();
    for (String preferred : PREFERRED_SUITES) {
      if (java.util.Arrays.asList(suites).contains(preferred)) {
        ordered.add(preferred);
      }
    }
    engine.setEnabledCipherSuites(ordered.isEmpty() ? PREFERRED_SUITES : ordered.toArray(String[]::new));
  }

  @Override
  public String[] getSupportedProtocols() {
    return PROTOCOLS.clone();
  }

  @Override
  public String[] getEnabledProtocols() {
    return engine.getEnabledProtocols();
  }

  @Override
  public SSLSession getSession() {
    return engine.getSession();
  }

  @Override
  public SSLSession getHandshakeSession() {
    return engine.getHandshakeSession();
  }

  @Override
  public void beginHandshake() throws SSLException {
    engine.beginHandshake();
  }

  @Override
  public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
    return engine.getHandshakeStatus();
  }

  @Override
  public boolean getUseClientMode() {
    return engine.getUseClientMode();
  }

  @Override
  public boolean getNeedClientAuth() {
    return engine.getNeedClientAuth();
  }

  @Override
  public boolean getWantClientAuth() {
    return engine.getWantClientAuth();
  }

  @Override
  public void setEnableSessionCreation(boolean flag) {
    engine.setEnableSessionCreation(flag);
  }

  @Override
  public boolean getEnableSessionCreation() {
    return engine.getEnableSessionCreation();
  }

  @Override
  public SSLParameters getSSLParameters() {
    return engine.getSSLParameters();
  }

  @Override
  public String getApplicationProtocol() {
    return engine.getApplicationProtocol();
  }

  @Override
  public String getHandshakeApplicationProtocol() {
    return engine.getHandshakeApplicationProtocol();
  }

  @Override
  public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
    engine.setHandshakeApplicationProtocolSelector(selector);
  }

  @Override
  public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
    return engine.getHandshakeApplicationProtocolSelector();
  }
}
