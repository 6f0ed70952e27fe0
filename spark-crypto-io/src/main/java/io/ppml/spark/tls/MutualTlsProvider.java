package io.ppml.spark.tls;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A JSSE provider offering one protocol, {@value #PROTOCOL}: TLS 1.3 with this JVM's attested
 * {@link WorkloadIdentity} as its only credential, peers accepted only with a certificate the key broker issued
 * to an attested workload ({@link AttestedPeerTrustManager}), and a client certificate required by every server
 * side ({@link ClientAuthRequiringEngine}).
 *
 * <p>Spark builds its RPC, block-transfer and shuffle TLS from {@code SSLContext.getInstance(spark.ssl.rpc.protocol)}
 * when no PEM key is configured; naming {@value #PROTOCOL} there routes all of it through this provider. The key
 * and trust managers Spark derives from its key store settings are ignored: they would come from files and
 * passwords, and with no trust store Spark trusts every certificate. In a JVM without this provider the name
 * does not resolve and Spark fails to start its RPC instead of running without client authentication.
 */
public final class MutualTlsProvider extends Provider {
  public static final String NAME = "PPML-mTLS";
  public static final String PROTOCOL = "PPML-TLSv1.3";
  private static final long serialVersionUID = 1L;

  /** How long a TLS user waits for the JVM's attestation to finish. */
  private static final long ATTESTATION_WAIT_SECONDS = 300;

  private final transient CompletableFuture<WorkloadIdentity> identity;
  private transient WorkloadKeyManager keyManager;
  private transient AttestedPeerTrustManager trustManager;

  private MutualTlsProvider(CompletableFuture<WorkloadIdentity> identity) {
    super(NAME, "1.0", "PPML mutual TLS between attested Spark JVMs");
    this.identity = identity;
    putService(new Service(this, "SSLContext", PROTOCOL, MutualTlsContext.class.getName(), null, null) {
      @Override
      public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
        awaitIdentity();
        return new MutualTlsContext(keyManager, trustManager);
      }
    });
  }

  /**
   * Installs the provider for {@code identity} at the highest priority, replacing one installed before, and
   * returns it.
   */
  public static MutualTlsProvider install(WorkloadIdentity identity) {
    return install(CompletableFuture.completedFuture(identity));
  }

  /**
   * Installs the provider for an identity still being attested: the JVM's start-up goes on meanwhile, and the
   * first {@code SSLContext.getInstance(PROTOCOL)} waits for it. If {@code identity} fails, no context is ever
   * created.
   */
  public static synchronized MutualTlsProvider install(CompletableFuture<WorkloadIdentity> identity) {
    Security.removeProvider(NAME);
    MutualTlsProvider provider = new MutualTlsProvider(identity);
    Security.insertProviderAt(provider, 1);
    return provider;
  }

  private synchronized void awaitIdentity() throws NoSuchAlgorithmException {
    if (keyManager != null) {
      return;
    }
    WorkloadIdentity attested;
    try {
      attested = identity.get(ATTESTATION_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new NoSuchAlgorithmException(PROTOCOL + " is unavailable: this JVM's attestation failed: "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new NoSuchAlgorithmException(PROTOCOL + " is unavailable: this JVM's attestation did not finish in "
          + ATTESTATION_WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NoSuchAlgorithmException(PROTOCOL + ": interrupted while waiting for attestation", e);
    }
    keyManager = new WorkloadKeyManager(attested);
    trustManager = new AttestedPeerTrustManager(attested.ca());
  }

  /** Presents {@code renewed} from the next handshake on (certificate renewal). */
  public synchronized void update(WorkloadIdentity renewed) throws NoSuchAlgorithmException {
    awaitIdentity();
    if (!renewed.ca().equals(trustManager.getAcceptedIssuers()[0])) {
      throw new IllegalArgumentException("a renewed workload certificate must come from the same CA");
    }
    keyManager.update(renewed);
  }

  private static final class MutualTlsContext extends SSLContextSpi {
    private final SSLContext tls;

    MutualTlsContext(WorkloadKeyManager keyManager, AttestedPeerTrustManager trustManager)
        throws NoSuchAlgorithmException {
      try {
        tls = SSLContext.getInstance("TLSv1.3", "SunJSSE");
      } catch (java.security.NoSuchProviderException e) {
        throw new NoSuchAlgorithmException("the JDK's SunJSSE provider is missing", e);
      }
      try {
        tls.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, new SecureRandom());
      } catch (KeyManagementException e) {
        throw new NoSuchAlgorithmException("cannot initialise TLS 1.3 with the workload identity", e);
      }
    }

    /** Ignores the managers the caller built (see the class comment): the attested identity is the only one. */
    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {}

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return new ClientAuthRequiringEngine(tls.createSSLEngine());
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return new ClientAuthRequiringEngine(tls.createSSLEngine(host, port));
    }

    /** Spark's transport uses engines only; a socket would escape the client-certificate requirement. */
    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw new UnsupportedOperationException(PROTOCOL + " provides SSLEngines only");
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw new UnsupportedOperationException(PROTOCOL + " provides SSLEngines only");
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return tls.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return tls.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return restrict(tls.getDefaultSSLParameters());
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return restrict(tls.getSupportedSSLParameters());
    }

    private static SSLParameters restrict(SSLParameters p) {
      p.setProtocols(ClientAuthRequiringEngine.PROTOCOLS);
      p.setNeedClientAuth(true);
      return p;
    }
  }
}
