package io.ppml.spark.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsConfig;
import io.ppml.kbs.server.KbsServer;
import io.ppml.kbs.server.Pem;
import io.ppml.spark.agent.AgentSettings;
import io.ppml.spark.agent.AttestedJvm;
import io.ppml.spark.source.SparkTestSupport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attested cluster, for real: a development key broker in this JVM, this JVM as an attested driver, two
 * executor JVMs ({@code local-cluster[2,1,1024]}) started with {@code ppml-agent.jar}. All loopback traffic is
 * captured with tcpdump from before the first executor starts until the job has ended.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttestedClusterTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.IntegerType)
      .add("name", DataTypes.StringType)
      .add("card", DataTypes.StringType)
      .add("bucket", DataTypes.IntegerType)
      .add("amount", DataTypes.LongType);
  private static final int ROWS = 20_000;
  private static final int BUCKETS = 37;
  private static final String CANARY = "PPMLCANARY-";
  private static final String CONTROL = "PPMLCONTROL-plain-loopback-marker";

  @TempDir static Path dir;
  private Path state;
  private KbsServer kbs;
  private SparkSession spark;
  private Process capture;
  private Path pcap;
  private final Set<Long> executorPids = new HashSet<>();

  @BeforeAll
  void startAttestedCluster() throws Exception {
    state = dir.resolve("kbs");
    KbsConfig config = DevKbs.prepare(state, 0, Clock.systemUTC());
    kbs = KbsServer.start(config);
    try (KbsClient admin = KbsClient.builder().url(kbs.url()).caPem(state.resolve(DevKbs.CA))
        .admin(AdminCredential.load(DevKbs.ADMIN_NAME, state.resolve(DevKbs.ADMIN_KEY))).build()) {
      admin.createKey("customers");
    }
    AttestedJvm.bootstrap(settings(state.resolve(DevKbs.SIMULATED)));
    pcap = dir.resolve("loopback.pcap");
    capture = startCapture(pcap);
    sendPlainControlMarker();
    spark = session("attested", state.resolve(DevKbs.SIMULATED));
    awaitExecutors(2);
  }

  @AfterAll
  void stopEverything() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (capture != null) {
      capture.destroyForcibly();
    }
    if (kbs != null) {
      kbs.close();
    }
  }

  @Test
  @Order(1)
  void shuffleHeavyJobOnEncryptedInputEqualsThePlaintextRun() {
    List<Row> rows = new ArrayList<>();
    Map<Integer, long[]> expected = new TreeMap<>();
    for (int i = 0; i < ROWS; i++) {
      int bucket = (i * 7919) % BUCKETS;
      long amount = (i * 31L) % 1000;
      rows.add(RowFactory.create(i, CANARY + "name-" + i, CANARY + "card-" + (4000_0000_0000_0000L + i), bucket,
          amount));
      long[] e = expected.computeIfAbsent(bucket, b -> new long[2]);
      e[0]++;
      e[1] += amount;
    }
    String input = dir.resolve("input").toString();
    spark.createDataFrame(rows, SCHEMA).repartition(4).write().format("ppml-csv").option("key", "customers")
        .save(input);

    Dataset<Row> data = spark.read().format("ppml-csv").schema(SCHEMA).load(input);
    // Names and card numbers cross the shuffle twice (repartition by name, then the join) before aggregation.
    Dataset<Row> byName = data.repartition(8, functions.col("name"));
    Dataset<Row> joined = byName.join(data.select("id", "card").withColumnRenamed("card", "card2"), "id");
    List<Row> result = joined
        .filter(functions.col("card").equalTo(functions.col("card2")))
        .groupBy("bucket")
        .agg(functions.count("name").as("n"), functions.sum("amount").as("total"),
            functions.countDistinct("card").as("cards"))
        .orderBy("bucket")
        .collectAsList();

    assertEquals(expected.size(), result.size());
    for (Row r : result) {
      long[] e = expected.get(r.getInt(0));
      assertEquals(e[0], r.getLong(1), "rows of bucket " + r.getInt(0));
      assertEquals(e[1], r.getLong(2), "amount of bucket " + r.getInt(0));
      assertEquals(e[0], r.getLong(3), "cards of bucket " + r.getInt(0));
    }
    executorPids.addAll(spark.range(0, 8, 1, 8)
        .map((MapFunction<Long, Long>) x -> ProcessHandle.current().pid(), Encoders.LONG()).collectAsList());
    executorPids.remove(ProcessHandle.current().pid());
    assertEquals(2, executorPids.size(), "tasks ran in two executor JVMs");
  }

  @Test
  @Order(2)
  void tlsPortsRefuseClientsWithoutAnAttestedCertificate() throws Exception {
    List<InetSocketAddress> ports = new ArrayList<>();
    ports.add(new InetSocketAddress(spark.conf().get("spark.driver.host"),
        Integer.parseInt(spark.conf().get("spark.driver.port"))));
    for (String blockManager : scala.jdk.javaapi.CollectionConverters.asJava(
        spark.sparkContext().getExecutorMemoryStatus().keySet())) {
      int colon = blockManager.lastIndexOf(':');
      ports.add(new InetSocketAddress(blockManager.substring(0, colon),
          Integer.parseInt(blockManager.substring(colon + 1))));
    }
    assertEquals(4, ports.size(), "driver RPC plus three block managers: " + ports);

    SSLContext anonymous = client(null, null);
    // Trusted by the same CA, but the broker's own server certificate: not issued to an attested key.
    SSLContext brokerCertificate = client(Pem.readPrivateKey(state.resolve(DevKbs.TLS_KEY)),
        Pem.readCertificates(state.resolve(DevKbs.TLS)).toArray(X509Certificate[]::new));
    KeyPair attestedKey = newKeyPair();
    KbsClient.WorkloadCertificate issued;
    try (KbsClient workload = new KbsClientConfig(kbs.url(), state.resolve(DevKbs.CA),
        KbsClientConfig.TEE_SIMULATED, state.resolve(DevKbs.SIMULATED), null, null).newClient()) {
      issued = workload.certificate(attestedKey);
    }
    SSLContext attested = client(attestedKey.getPrivate(),
        new X509Certificate[] {issued.certificate(), issued.ca()});

    for (InetSocketAddress port : ports) {
      assertFalse(ClientAuthProbe.accepts(anonymous, port), "client without certificate accepted by " + port);
      assertFalse(ClientAuthProbe.accepts(brokerCertificate, port), "broker TLS certificate accepted by " + port);
      assertTrue(ClientAuthProbe.accepts(attested, port), "attested workload certificate refused by " + port);
    }
  }

  @Test
  @Order(3)
  void executorProcessesHoldNoSecretInTheirCommandLineOrEnvironment() throws Exception {
    assertEquals(2, executorPids.size());
    for (long pid : executorPids) {
      for (String file : List.of("cmdline", "environ")) {
        String text = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)),
            StandardCharsets.UTF_8).replace('\0', '\n');
        assertTrue(text.contains(file.equals("cmdline") ? "ppml-agent.jar" : AgentSettings.KBS_URL),
            "read the right process: " + pid);
        for (String secret : List.of("eyJ", "-----BEGIN", "PRIVATE KEY", "Password", "_SPARK_AUTH_SECRET",
            "spark.authenticate.secret=", CANARY)) {
          assertFalse(text.contains(secret), secret + " in /proc/" + pid + "/" + file);
        }
      }
    }
  }

  @Test
  @Order(4)
  void nothingInClearOnTheWireOrOnDisk() throws Exception {
    String appId = spark.sparkContext().applicationId();
    spark.stop();
    spark = null;
    stopCapture();
    byte[] traffic = Files.readAllBytes(pcap);
    assertTrue(traffic.length > 200_000, "capture holds the job's traffic: " + traffic.length + " bytes");
    assertTrue(SparkTestSupport.contains(traffic, CONTROL.getBytes(StandardCharsets.UTF_8)),
        "the capture sees plaintext loopback traffic");
    assertFalse(SparkTestSupport.contains(traffic, CANARY.getBytes(StandardCharsets.UTF_8)),
        "a canary crossed loopback in clear");

    Path work = Path.of(System.getenv("SPARK_HOME"), "work", appId);
    assertTrue(Files.isDirectory(work), "executor work directory " + work);
    List<Path> scanned = new ArrayList<>();
    for (Path root : List.of(work, dir.resolve("local"), dir.resolve("input"))) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          byte[] bytes = Files.readAllBytes(f);
          assertFalse(SparkTestSupport.contains(bytes, CANARY.getBytes(StandardCharsets.UTF_8)), f.toString());
          assertFalse(SparkTestSupport.contains(bytes, "eyJ".getBytes(StandardCharsets.UTF_8)), f.toString());
          scanned.add(f);
        }
      }
    }
    String stderr = Files.readString(work.resolve("0").resolve("stderr"));
    assertTrue(stderr.contains("ppml-agent: attested to " + kbs.url()), "executor 0 attested: " + stderr);
    assertTrue(scanned.size() > 4, "scanned " + scanned);
  }

  @Test
  @Order(5)
  void anExecutorWhoseEvidenceFailsPolicyNeverStartsAndTheDriverSaysWhy() throws Exception {
    assertTrue(spark == null, "runs after the attested job");
    Path rogue = dir.resolve("rogue-platform");
    byte[] otherMrTd = new byte[48];
    Arrays.fill(otherMrTd, (byte) 0x42);
    SimulatedTdx.load(state.resolve(DevKbs.SIMULATED)).withMrTd(otherMrTd).persist(rogue);
    spark = session("rogue-executors", rogue);
    String appId = spark.sparkContext().applicationId();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (ExecutorStartFailures.reported().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    List<String> reported = ExecutorStartFailures.reported();
    assertFalse(reported.isEmpty(), "the driver reported no failed executor start");
    assertTrue(reported.get(0).contains("policy denied the attestation") && reported.get(0).contains("exit 73"),
        reported.get(0));
    assertEquals(1, spark.sparkContext().getExecutorMemoryStatus().size(), "no executor registered");
    String executor = reported.get(0).replaceAll("^executor \\S+/(\\d+) .*$", "$1");
    Path stderr = Path.of(System.getenv("SPARK_HOME"), "work", appId, executor, "stderr");
    String line = Files.readAllLines(stderr).stream().filter(l -> l.startsWith("ppml-agent:")).findFirst()
        .orElse("no agent line in " + stderr);
    assertTrue(line.startsWith("ppml-agent: attestation failed:") && line.toLowerCase().contains("mrtd"), line);
  }

  // ------------------------------------------------------------------ set-up

  private AgentSettings settings(Path platform) {
    return new AgentSettings(kbs.url(), state.resolve(DevKbs.CA), KbsClientConfig.TEE_SIMULATED, platform, null,
        null);
  }

  private SparkSession session(String app, Path executorPlatform) throws IOException {
    String sparkHome = System.getenv("SPARK_HOME");
    assertNotNull(sparkHome, "SPARK_HOME must name a directory for the local-cluster workers");
    Files.createDirectories(Path.of(sparkHome, "jars"));
    Path agentJar = Path.of(System.getProperty("ppml.agent.jar"));
    assertTrue(Files.isRegularFile(agentJar), "agent jar built before the tests: " + agentJar);
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    SparkSession.Builder b = SparkSession.builder()
        .master("local-cluster[2,1,1024]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.local.dir", dir.resolve("local").toString())
        .config("spark.sql.shuffle.partitions", "6")
        .config("spark.executor.extraClassPath", classPath);
    PpmlSparkPlugin.sessionSettings(settings(executorPlatform), agentJar).forEach(b::config);
    return b.getOrCreate();
  }

  private void awaitExecutors(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (spark.sparkContext().getExecutorMemoryStatus().size() < n + 1 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertEquals(n + 1, spark.sparkContext().getExecutorMemoryStatus().size(), "driver and executors up");
  }

  private static Process startCapture(Path file) throws Exception {
    Path log = file.resolveSibling("tcpdump.log");
    Process p = new ProcessBuilder("tcpdump", "-i", "lo", "-U", "-s", "0", "-w", file.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("listening on")) {
        return p;
      }
      assertTrue(p.isAlive(), "tcpdump (installed by scripts/test) failed: " + Files.readString(log));
      Thread.sleep(50);
    }
    throw new AssertionError("tcpdump did not start: " + Files.readString(log));
  }

  private void stopCapture() throws Exception {
    Thread.sleep(500);
    capture.destroy();
    assertTrue(capture.waitFor(20, TimeUnit.SECONDS), "tcpdump stopped");
  }

  /** Plain text over loopback while capturing: proves the capture would see a canary sent in clear. */
  private static void sendPlainControlMarker() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
        Socket accepted = server.accept()) {
      client.getOutputStream().write(CONTROL.getBytes(StandardCharsets.UTF_8));
      client.getOutputStream().flush();
      byte[] got = accepted.getInputStream().readNBytes(CONTROL.length());
      assertEquals(CONTROL, new String(got, StandardCharsets.UTF_8));
    }
  }

  // ------------------------------------------------------------------ TLS clients

  private static KeyPair newKeyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  /** A TLS 1.3 client presenting {@code key}/{@code chain} (none if null) and trusting any server. */
  private static SSLContext client(PrivateKey key, X509Certificate[] chain) throws Exception {
    if (key == null) {
      return ClientAuthProbe.client(null);
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test-only".toCharArray();
    store.setKeyEntry("client", key, password, Arrays.copyOf(chain, chain.length, Certificate[].class));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
    kmf.init(store, password);
    return ClientAuthProbe.client(kmf.getKeyManagers());
  }
}
