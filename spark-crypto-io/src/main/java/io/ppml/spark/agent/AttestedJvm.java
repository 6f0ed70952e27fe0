package io.ppml.spark.agent;

import io.ppml.attestation.evidence.EvidenceException;
import io.ppml.attestation.kbs.AttestationDeniedException;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.attestation.kbs.KbsClientException;
import io.ppml.core.error.PpmlException;
import io.ppml.core.secret.SecretBytes;
import io.ppml.spark.agent.AgentFailure.Step;
import io.ppml.spark.tls.MutualTlsProvider;
import io.ppml.spark.tls.WorkloadIdentity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A JVM that has proven itself to the key broker. {@link #bootstrap} runs, in order:
 * <ol>
 *   <li>attestation and certificate: a new EC P-256 key pair whose hash is bound into a Request-Challenge-
 *       Attestation-Response with the configured evidence; the broker's workload CA certifies the key, and the
 *       attestation's token serves the JVM's key operations ({@link #client()}). The identity is installed with
 *       {@link MutualTlsProvider} so that Spark's RPC, block transfer and shuffle run mutual TLS 1.3 between
 *       attested JVMs only; it is renewed before it expires;</li>
 *   <li>secret (optional): the application's {@code spark.authenticate} secret, released as a broker resource and
 *       written 0600 into the private key directory, for Spark's {@code spark.authenticate.secret.*.file};</li>
 *   <li>Spark settings, as system properties so they apply to the Spark configuration this JVM builds and win
 *       over the executor settings the driver sends: TLS through {@value MutualTlsProvider#PROTOCOL}, shuffle and
 *       spill encryption on, Spark's own (weaker) RPC encryption off.</li>
 * </ol>
 * Nothing secret goes into a system property, an environment variable or a command line. A step that fails
 * throws {@link AgentFailure} naming it; as an agent, the JVM then stops before its {@code main}.
 */
public final class AttestedJvm implements AutoCloseable {
  /** Placeholder key store that Spark insists on loading; it holds no key (see {@link MutualTlsProvider}). */
  static final String PLACEHOLDER_KEY_STORE = "spark-rpc-placeholder.p12";
  static final String AUTH_SECRET_FILE = "spark-auth-secret";
  private static final Duration RENEWAL_RETRY = Duration.ofSeconds(30);

  private static volatile AttestedJvm current;
  /** The agent's attestation while it runs in the background; see {@link #startAsAgent}. */
  private static volatile CompletableFuture<AttestedJvm> pending;

  private final AgentSettings settings;
  private final KbsClientConfig clientConfig;
  private final KbsClient client;
  private final MutualTlsProvider provider;
  private final Duration attestationTime;
  private final ScheduledExecutorService renewal;
  private volatile WorkloadIdentity identity;

  private AttestedJvm(AgentSettings settings, KbsClientConfig clientConfig, KbsClient client,
      WorkloadIdentity identity, MutualTlsProvider provider, Duration attestationTime) {
    this.settings = settings;
    this.clientConfig = clientConfig;
    this.client = client;
    this.identity = identity;
    this.provider = provider;
    this.attestationTime = attestationTime;
    this.renewal = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ppml-certificate-renewal");
      t.setDaemon(true);
      return t;
    });
    scheduleRenewal(identity);
  }

  /** What is in place before the broker has been asked anything. */
  private record Start(AgentSettings settings, KbsClientConfig clientConfig, Path keyDir,
      CompletableFuture<WorkloadIdentity> identity, MutualTlsProvider provider, Map<String, String> sparkProperties,
      long nanos) {}

  /**
   * Runs as the {@code -javaagent}. The settings, the private directory, the Spark settings and the TLS provider
   * are in place before {@code main}; attestation itself runs in the background while the JVM starts up, and
   * Spark's first use of TLS waits for it. Success prints one line; failure prints one line naming the step and
   * stops the JVM with the step's exit code before any connection has been made.
   */
  static void startAsAgent(Map<String, String> env) {
    Start start;
    try {
      start = begin(AgentSettings.fromEnvironment(env));
      applySparkProperties(start.sparkProperties());
    } catch (AgentFailure f) {
      System.err.println(f.line());
      System.exit(f.step().exitCode());
      return;
    }
    CompletableFuture<AttestedJvm> attesting = new CompletableFuture<>();
    pending = attesting;
    Thread t = new Thread(() -> {
      try {
        AttestedJvm jvm = finish(start);
        current = jvm;
        attesting.complete(jvm);
        System.err.println("ppml-agent: attested to " + jvm.settings.kbsUrl() + " in "
            + jvm.attestationTime.toMillis() + " ms; TLS identity " + jvm.identity.subject() + " until "
            + jvm.identity.notAfter());
      } catch (AgentFailure f) {
        // Exit first: whatever waits for the identity never gets it, and the JVM's exit code is the step's.
        System.err.println(f.line());
        System.exit(f.step().exitCode());
      } catch (RuntimeException | Error e) {
        System.err.println("ppml-agent: " + Step.CONFIGURATION.label() + " failed: " + e);
        System.exit(Step.CONFIGURATION.exitCode());
      }
    }, "ppml-attestation");
    t.start();
  }

  /** The attested JVM, if this JVM has been bootstrapped (waiting for the agent's attestation if it runs). */
  public static Optional<AttestedJvm> current() {
    CompletableFuture<AttestedJvm> p = pending;
    if (current == null && p != null) {
      try {
        return Optional.of(p.join());
      } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(current);
  }

  /**
   * Attests this JVM with {@code settings} and installs what follows from it (see the class comment). For a
   * driver running inside an application JVM, call this before the SparkSession is built; the agent does the
   * same for executors. Idempotent for equal settings.
   */
  public static synchronized AttestedJvm bootstrap(AgentSettings settings) throws AgentFailure {
    Optional<AttestedJvm> existing = current();
    if (existing.isPresent()) {
      if (existing.get().clientConfig.equals(settings.clientConfig())) {
        return existing.get();
      }
      throw new AgentFailure(Step.CONFIGURATION, "this JVM is already attested to "
          + existing.get().settings.kbsUrl() + "; one JVM has one attested identity", null);
    }
    Start start = begin(settings);
    AttestedJvm jvm;
    try {
      jvm = finish(start);
    } catch (AgentFailure | RuntimeException e) {
      start.identity().completeExceptionally(e);
      throw e;
    }
    applySparkProperties(start.sparkProperties());
    current = jvm;
    return jvm;
  }

  private static Start begin(AgentSettings settings) throws AgentFailure {
    long nanos = System.nanoTime();
    KbsClientConfig clientConfig = settings.clientConfig(); // checks the settings before anything is created
    Path keyDir = keyDirectory(settings);
    Map<String, String> properties = sparkProperties(keyDir);
    if (settings.authSecret() != null) {
      Path file = keyDir.resolve(AUTH_SECRET_FILE);
      properties.put("spark.authenticate", "true");
      properties.put("spark.authenticate.secret.driver.file", file.toString());
      properties.put("spark.authenticate.secret.executor.file", file.toString());
    }
    CompletableFuture<WorkloadIdentity> identity = new CompletableFuture<>();
    return new Start(settings, clientConfig, keyDir, identity, MutualTlsProvider.install(identity), properties,
        nanos);
  }

  /**
   * Attestation, certificate and secret; completes the provider's identity. On failure the identity is left for
   * the caller to fail: the agent stops the JVM first, so that the step's exit code is the JVM's.
   */
  private static AttestedJvm finish(Start start) throws AgentFailure {
    KbsClient client = null;
    try {
      try {
        client = start.clientConfig().newClient();
      } catch (PpmlException e) {
        throw new AgentFailure(e instanceof KbsClientException ? Step.CONFIGURATION : Step.EVIDENCE,
            e.getMessage(), e);
      }
      // One attestation: the certificate's, whose token the client keeps for key operations.
      WorkloadIdentity identity = newIdentity(client);
      call(Step.ATTESTATION, client::token);
      if (start.settings().authSecret() != null) {
        releaseAuthSecret(client, start.settings().authSecret(), start.keyDir().resolve(AUTH_SECRET_FILE));
      }
      AttestedJvm jvm = new AttestedJvm(start.settings(), start.clientConfig(), client, identity, start.provider(),
          Duration.ofNanos(System.nanoTime() - start.nanos()));
      start.identity().complete(identity);
      return jvm;
    } catch (AgentFailure | RuntimeException e) {
      if (client != null) {
        client.close();
      }
      throw e;
    }
  }

  private static void applySparkProperties(Map<String, String> properties) {
    for (String cleared : new String[] {"spark.ssl.rpc.privateKey", "spark.ssl.rpc.certChain",
        "spark.ssl.rpc.keyStorePassword", "spark.ssl.rpc.keyPassword", "spark.ssl.rpc.trustStore",
        "spark.ssl.rpc.trustStorePassword"}) {
      System.clearProperty(cleared);
    }
    properties.forEach(System::setProperty);
  }

  public AgentSettings settings() {
    return settings;
  }

  /** The attested key broker client of this JVM; its token serves key operations. */
  public KbsClient client() {
    return client;
  }

  public WorkloadIdentity identity() {
    return identity;
  }

  /** Wall time of {@link #bootstrap}: attestation, certificate, secret. */
  public Duration attestationTime() {
    return attestationTime;
  }

  /** Whether key operations configured by {@code config} can use this JVM's client (same broker, same trust). */
  public boolean serves(KbsClientConfig config) {
    return clientConfig.url().equals(config.url()) && clientConfig.ca().equals(config.ca())
        && clientConfig.tee().equals(config.tee());
  }


  /** Stops certificate renewal and forgets the token. The TLS provider stays for connections still closing. */
  @Override
  public void close() {
    renewal.shutdownNow();
    client.close();
  }

  private static <T> T call(Step step, KbsCall<T> call) throws AgentFailure {
    try {
      return call.run();
    } catch (AttestationDeniedException e) {
      throw new AgentFailure(Step.ATTESTATION, e.getMessage(), e);
    } catch (KbsClientException e) {
      boolean unreachable = KbsClientException.UNREACHABLE.equals(e.serverError())
          || KbsClientException.UNTRUSTED_CERTIFICATE.equals(e.serverError());
      throw new AgentFailure(unreachable ? Step.KEY_BROKER : step, e.getMessage(), e);
    } catch (EvidenceException e) {
      throw new AgentFailure(Step.EVIDENCE, e.getMessage(), e);
    } catch (PpmlException e) {
      throw new AgentFailure(step, e.getMessage(), e);
    }
  }

  private interface KbsCall<T> {
    T run() throws PpmlException;
  }

  private static WorkloadIdentity newIdentity(KbsClient client) throws AgentFailure {
    KeyPair pair;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      pair = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new AgentFailure(Step.CERTIFICATE, "cannot generate an EC P-256 key pair: " + e.getMessage(), e);
    }
    KbsClient.WorkloadCertificate issued = call(Step.CERTIFICATE, () -> client.certificate(pair));
    return new WorkloadIdentity(pair, issued.certificate(), issued.ca());
  }

  private void scheduleRenewal(WorkloadIdentity of) {
    Duration left = Duration.between(Instant.now(), of.notAfter());
    long delayMs = Math.max(RENEWAL_RETRY.toMillis(), left.toMillis() * 2 / 3);
    renewal.schedule(this::renew, delayMs, TimeUnit.MILLISECONDS);
  }

  private void renew() {
    try {
      WorkloadIdentity renewed = newIdentity(client);
      provider.update(renewed);
      identity = renewed;
      scheduleRenewal(renewed);
    } catch (AgentFailure | java.security.NoSuchAlgorithmException | RuntimeException e) {
      String message = e instanceof AgentFailure f ? f.line() : "ppml-agent: certificate renewal failed: " + e;
      System.err.println(message + "; retrying in " + RENEWAL_RETRY.toSeconds() + " s");
      renewal.schedule(this::renew, RENEWAL_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** A new 0700 directory of this JVM under the configured parent, removed when the JVM exits. */
  private static Path keyDirectory(AgentSettings settings) throws AgentFailure {
    Path parent = settings.keyDir();
    try {
      if (parent == null) {
        Path shm = Path.of("/dev/shm");
        parent = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
      } else if (!Files.isDirectory(parent)) {
        Files.createDirectories(parent,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      Path dir = Files.createTempDirectory(parent, "ppml-keys-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir), "ppml-key-dir-cleanup"));
      return dir;
    } catch (IOException | UnsupportedOperationException e) {
      throw new AgentFailure(Step.CONFIGURATION, "cannot create a private key directory under " + parent + ": "
          + e.getMessage(), e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      System.err.println("ppml-agent: could not remove " + dir + ": " + e.getMessage());
    }
  }

  /** The Spark settings of an attested JVM; the placeholder key store is created on the way. */
  private static Map<String, String> sparkProperties(Path keyDir) throws AgentFailure {
    Path placeholder = keyDir.resolve(PLACEHOLDER_KEY_STORE);
    try (OutputStream out = Files.newOutputStream(placeholder, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      KeyStore empty = KeyStore.getInstance("PKCS12");
      empty.load(null, null);
      empty.store(out, new char[0]);
    } catch (IOException | GeneralSecurityException e) {
      throw new AgentFailure(Step.CONFIGURATION, "cannot write " + placeholder + ": " + e.getMessage(), e);
    }
    Map<String, String> p = new LinkedHashMap<>();
    p.put("spark.ssl.rpc.enabled", "true");
    p.put("spark.ssl.rpc.protocol", MutualTlsProvider.PROTOCOL);
    p.put("spark.ssl.rpc.keyStore", placeholder.toString());
    p.put("spark.ssl.rpc.openSslEnabled", "false");
    p.put("spark.network.crypto.enabled", "false");
    p.put("spark.io.encryption.enabled", "true");
    return p;
  }

  private static void releaseAuthSecret(KbsClient client, String resource, Path file) throws AgentFailure {
    String[] parts = resource.split("/");
    try (SecretBytes secret = call(Step.SECRET, () -> client.resource(parts[0], parts[1], parts[2]))) {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      byte[] bytes = secret.toByteArray();
      try {
        Files.write(file, bytes);
      } finally {
        java.util.Arrays.fill(bytes, (byte) 0);
      }
    } catch (IOException e) {
      throw new AgentFailure(Step.SECRET, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }

}
