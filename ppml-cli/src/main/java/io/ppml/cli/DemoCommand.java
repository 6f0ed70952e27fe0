package io.ppml.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ppml.attestation.kbs.AdminCredential;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.examples.BankDataGenerator;
import io.ppml.examples.CanaryScan;
import io.ppml.examples.DemoJob;
import io.ppml.examples.ExampleKeys;
import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsServer;
import io.ppml.spark.agent.AgentSettings;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ppml demo}: the protected pipeline end to end on this machine, everything under one work directory.
 * Starts the key broker in development mode (simulated TDX explicitly allowed, announced), creates the example
 * keys in it, then runs {@link DemoJob} as the driver in a JVM of its own, started with the attestation agent,
 * on a {@code local-cluster} of two attested executor JVMs with mutual TLS; finally summarises the broker's
 * audit log and scans every byte under the work directory for the canary planted in the PII. Exit 1 naming the
 * files if the canary is found, or if any step fails.
 */
@Command(name = "demo", description = {
    "Run the protected pipeline (encrypted data, ETL, training, inference, queries) on attested Spark executors",
    "with an embedded key broker (simulated TDX, development mode), then scan every file written for the canary."})
final class DemoCommand implements Callable<Integer> {
  /** Report line printed when the scan finds nothing. */
  static final String NO_CANARY = "canary scan: no " + BankDataGenerator.CANARY + " found";
  /** System property naming ppml-agent.jar (set by scripts/ppml). */
  static final String AGENT_JAR = "ppml.agent.jar";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Option(names = "--workdir", paramLabel = "DIR",
      description = "Work directory (default: a new temporary directory, named in the report).")
  Path workdir;

  @Option(names = "--customers", paramLabel = "N", defaultValue = "20000",
      description = "Customers to generate (default ${DEFAULT-VALUE}).")
  long customers;

  @Option(names = "--transactions", paramLabel = "N", defaultValue = "200000",
      description = "Transactions to generate (default ${DEFAULT-VALUE}).")
  long transactions;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Generator seed.")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path agentJar = agentJar();
    Path dir = (workdir == null ? Files.createTempDirectory("ppml-demo-") : Files.createDirectories(workdir))
        .toAbsolutePath();
    out.println("work directory: " + dir);
    // A marker already in the directory would make the final scan meaningless: refuse before spending minutes.
    CanaryScan scanner = new CanaryScan(BankDataGenerator.CANARY);
    failIfFound(scanner.scan(dir), dir);

    Path state = dir.resolve("kbs");
    int exit;
    try (KbsServer kbs = KbsServer.start(DevKbs.prepare(state, 0, Clock.systemUTC()))) {
      out.println("key broker:     " + kbs.url() + " (embedded, DEVELOPMENT MODE: its policy allows SIMULATED TDX;"
          + " every default policy refuses it)");
      try (KbsClient admin = KbsClient.builder().url(kbs.url()).caPem(state.resolve(DevKbs.CA))
          .admin(AdminCredential.load(DevKbs.ADMIN_NAME, state.resolve(DevKbs.ADMIN_KEY))).build()) {
        List<String> existing = admin.listKeys().stream().map(k -> k.name()).toList();
        for (String key : ExampleKeys.ALL) {
          if (!existing.contains(key)) {
            admin.createKey(key);
          }
        }
      }
      out.println("keys:           " + String.join(", ", ExampleKeys.ALL) + " (primary keys in the broker)");
      out.flush();
      AgentSettings agent = new AgentSettings(kbs.url(), state.resolve(DevKbs.CA), "simulated",
          state.resolve(DevKbs.SIMULATED), dir.resolve("keys"), null);
      exit = runDriver(dir, agent, agentJar, out);
    }
    if (exit != 0) {
      throw new IOException("the demo driver failed (exit " + exit + "); its output is above");
    }
    out.println("key broker audit: " + auditSummary(state.resolve("audit.log")));
    CanaryScan.Report scan = scanner.scan(dir);
    failIfFound(scan, dir);
    out.printf("%s in %,d files (%,d bytes) under %s (UTF-8, UTF-16, base64)%n", NO_CANARY, scan.files(),
        scan.bytes(), dir);
    return 0;
  }

  private static Path agentJar() throws IOException {
    String jar = System.getProperty(AGENT_JAR);
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IOException("ppml-agent.jar not found (system property " + AGENT_JAR + " = " + jar
          + "); build the project or run through scripts/ppml");
    }
    return Path.of(jar).toAbsolutePath();
  }

  /** Runs {@link DemoJob} in a new JVM with the agent, relaying its output, and returns its exit code. */
  private int runDriver(Path dir, AgentSettings agent, Path agentJar, PrintWriter out)
      throws IOException, InterruptedException {
    Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
    Files.createDirectories(sparkHome.resolve("jars"));
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // Spark's module flags, as this JVM got them.
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-Dio.netty"))
        .forEach(cmd::add);
    cmd.add("-Djava.io.tmpdir=" + tmp);
    cmd.add("-javaagent:" + agentJar);
    cmd.add("-cp");
    cmd.add(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(p -> Path.of(p).toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator)));
    cmd.addAll(List.of(DemoJob.class.getName(), dir.toString(), Long.toString(customers),
        Long.toString(transactions), Long.toString(seed), agentJar.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PPML_") || k.startsWith("_SPARK"));
    env.putAll(agent.toEnvironment());
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("SPARK_SCALA_VERSION", "2.13");
    Process driver = pb.start();
    Thread errors = relay(driver.getErrorStream(), spec.commandLine().getErr());
    relay(driver.getInputStream(), out).join();
    errors.join();
    return driver.waitFor();
  }

  private static Thread relay(InputStream from, PrintWriter to) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          to.println(line);
          to.flush();
        }
      } catch (IOException e) {
        to.println("ppml: lost the demo driver's output: " + e.getMessage());
      }
    }, "ppml-demo-relay");
    t.start();
    return t;
  }

  /** Decisions of the broker during the demo, by event, from its audit log (records hold no secret). */
  private static String auditSummary(Path log) throws IOException {
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : Files.readAllLines(log)) {
      JsonNode r = JSON.readTree(line);
      if (!"info".equals(r.path("decision").asText())) {
        counts.merge(r.path("event").asText() + " " + r.path("decision").asText(), 1, Integer::sum);
      }
    }
    return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
  }

  /** Names every file holding the marker on stderr (never its content) and fails with exit code 1. */
  private void failIfFound(CanaryScan.Report scan, Path dir) throws IOException {
    if (scan.hits().isEmpty()) {
      return;
    }
    for (CanaryScan.Hit hit : scan.hits()) {
      spec.commandLine().getErr().println("canary found (" + hit.encoding() + ") in " + hit.file());
    }
    throw new IOException("canary scan: " + BankDataGenerator.CANARY + " found in " + scan.hits().size()
        + " file(s) under " + dir);
  }
}
