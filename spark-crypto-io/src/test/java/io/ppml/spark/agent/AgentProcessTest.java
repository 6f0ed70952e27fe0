package io.ppml.spark.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.attestation.evidence.SimulatedTdx;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts real JVMs with {@code -javaagent:ppml-agent.jar}: each either attests and runs its main, or stops
 * before main with one line naming the failed step and that step's exit code.
 */
class AgentProcessTest {
  @TempDir static Path dir;
  private static KbsServer kbs;
  private static Path state;

  /**
   * The main of the started JVMs. Attestation runs while main starts; like Spark, main then asks for the
   * mutual-TLS context, which it gets only from an attested JVM.
   */
  public static final class Main {
    public static void main(String[] args) throws Exception {
      javax.net.ssl.SSLContext.getInstance(System.getProperty("spark.ssl.rpc.protocol"));
      System.out.println("main ran; protocol=" + System.getProperty("spark.ssl.rpc.protocol")
          + "; io.encryption=" + System.getProperty("spark.io.encryption.enabled"));
      String secretFile = System.getProperty("spark.authenticate.secret.executor.file");
      if (secretFile != null) {
        Path file = Path.of(secretFile);
        System.out.println("secret-file=" + file + "; perms="
            + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
            + "; same-for-driver=" + secretFile.equals(System.getProperty("spark.authenticate.secret.driver.file"))
            + "; content=" + new String(Files.readAllBytes(file), StandardCharsets.UTF_8).hashCode()
            + "; dir-perms="
            + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
      }
    }
  }

  private record Run(int exit, String out, String err) {}

  @BeforeAll
  static void startBroker() throws Exception {
    state = dir.resolve("kbs");
    kbs = KbsServer.start(DevKbs.prepare(state, 0, Clock.systemUTC()));
  }

  @AfterAll
  static void stopBroker() {
    kbs.close();
  }

  private static Map<String, String> env(String url, Path platform) {
    return Map.of(AgentSettings.KBS_URL, url, AgentSettings.KBS_CA, state.resolve(DevKbs.CA).toString(),
        AgentSettings.TEE, "simulated", AgentSettings.TEE_STATE, platform.toString(),
        AgentSettings.KEY_DIR, dir.resolve("keys-" + System.nanoTime()).toString());
  }

  private static Run run(Map<String, String> env, String classPath, String main) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-javaagent:" + System.getProperty("ppml.agent.jar"), "-cp", classPath, main));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PPML_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "JVM finished");
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String testClassPath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private static void assertStoppedAt(Run r, AgentFailure.Step step, String detail) {
    assertEquals(step.exitCode(), r.exit(), r.err());
    String agentLines = String.join("\n", r.err().lines().filter(l -> l.startsWith("ppml-agent:")).toList());
    assertTrue(agentLines.startsWith("ppml-agent: " + step.label() + " failed: ") && agentLines.contains(detail)
        && !agentLines.contains("\n"), agentLines);
    assertFalse(r.out().contains("main ran"), "main must not get TLS: " + r.out());
  }

  @Test
  void attestsThenRunsMainWithTheSparkSettingsInPlace() throws Exception {
    Run r = run(env(kbs.url().toString(), state.resolve(DevKbs.SIMULATED)), testClassPath(), Main.class.getName());
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.err().contains("ppml-agent: attested to " + kbs.url()), r.err());
    assertTrue(r.out().contains("main ran; protocol=PPML-TLSv1.3; io.encryption=true"), r.out());
  }

  @Test
  void releasesTheSparkAuthenticateSecretIntoThePrivateDirectoryOnly() throws Exception {
    String secret = "spark-auth-" + System.nanoTime();
    try (KbsClient admin = KbsClient.builder().url(kbs.url()).caPem(state.resolve(DevKbs.CA))
        .admin(AdminCredential.load(DevKbs.ADMIN_NAME, state.resolve(DevKbs.ADMIN_KEY))).build()) {
      admin.putResource("app", "spark", "auth", secret.getBytes(StandardCharsets.UTF_8));
    }
    Map<String, String> env = new java.util.HashMap<>(env(kbs.url().toString(), state.resolve(DevKbs.SIMULATED)));
    env.put(AgentSettings.AUTH_SECRET, "app/spark/auth");
    Run r = run(env, testClassPath(), Main.class.getName());
    assertEquals(0, r.exit(), r.err());
    String line = r.out().lines().filter(l -> l.startsWith("secret-file=")).findFirst().orElse("");
    assertTrue(line.contains("; perms=rw-------; same-for-driver=true; content=" + secret.hashCode()), line);
    Path file = Path.of(line.substring("secret-file=".length(), line.indexOf(';')));
    assertTrue(file.startsWith(Path.of(env.get(AgentSettings.KEY_DIR))), file.toString());
    assertTrue(r.out().contains("; dir-perms=rwx------"), r.out());
    assertFalse(Files.exists(file), "the private directory is removed when the JVM exits: " + file);
    assertFalse(r.out().contains(secret) || r.err().contains(secret), "the secret was printed");
  }

  @Test
  void aSecretTheBrokerDoesNotReleaseStopsTheJvmAtSecret() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(env(kbs.url().toString(), state.resolve(DevKbs.SIMULATED)));
    env.put(AgentSettings.AUTH_SECRET, "app/spark/missing");
    assertStoppedAt(run(env, testClassPath(), Main.class.getName()), AgentFailure.Step.SECRET, "app/spark/missing");
  }

  @Test
  void missingSettingsStopTheJvmAtConfiguration() throws Exception {
    assertStoppedAt(run(Map.of(), testClassPath(), Main.class.getName()), AgentFailure.Step.CONFIGURATION,
        "PPML_KBS_URL and PPML_KBS_CA must be set");
  }

  @Test
  void anUnreachableBrokerStopsTheJvmAtKeyBroker() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    assertStoppedAt(run(env("https://127.0.0.1:" + closedPort, state.resolve(DevKbs.SIMULATED)), testClassPath(),
        Main.class.getName()), AgentFailure.Step.KEY_BROKER, "127.0.0.1:" + closedPort);
  }

  @Test
  void evidenceOutsideThePolicyStopsTheJvmAtAttestationNamingTheRule() throws Exception {
    Path rogue = dir.resolve("rogue");
    byte[] mrTd = new byte[48];
    Arrays.fill(mrTd, (byte) 7);
    SimulatedTdx.load(state.resolve(DevKbs.SIMULATED)).withMrTd(mrTd).persist(rogue);
    assertStoppedAt(run(env(kbs.url().toString(), rogue), testClassPath(), Main.class.getName()),
        AgentFailure.Step.ATTESTATION, "failed rules: [mrtd]");
  }

  @Test
  void sparksLauncherJvmIsLeftAlone() throws Exception {
    // The launcher's class path holds the agent jar and spark-launcher only: the agent must not touch ppml.
    String launcherJar = Arrays.stream(testClassPath().split(File.pathSeparator))
        .filter(p -> p.contains("spark-launcher")).findFirst().orElseThrow();
    Run r = run(Map.of(), launcherJar, "org.apache.spark.launcher.Main");
    assertFalse(r.err().contains("ppml-agent"), r.err());
    assertTrue(r.exit() != AgentFailure.Step.CONFIGURATION.exitCode(), r.err());
  }
}
