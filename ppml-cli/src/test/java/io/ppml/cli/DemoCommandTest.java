package io.ppml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ppml demo} at small sizes: the command in-process, its driver and executors in JVMs of their own. */
class DemoCommandTest {
  /** At 600 customers the held-out set is about 120 rows; the generated fraud signal gives AUC near 0.9. */
  private static final double AUC_FLOOR = 0.7;

  @TempDir Path tmp;

  private static CliRun demo(Path work, String customers, String transactions) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PpmlCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "--workdir",
        work.toString(), "--customers", customers, "--transactions", transactions);
    return new CliRun(code, out.toString(), err.toString());
  }

  @Test
  void runsThePipelineAndFindsNoCanary() throws Exception {
    Path work = tmp.resolve("demo");
    CliRun r = demo(work, "600", "6000");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains(DemoCommand.NO_CANARY), r.toString());
    for (String stage : new String[] {"generate", "etl", "training", "inference", "queries", "model AUC:"}) {
      assertTrue(r.out().contains(stage), stage + " missing from " + r);
    }
    assertTrue(Files.isDirectory(work.resolve("data").resolve("model")));
    double auc = Double.parseDouble(r.out().replaceAll("(?s).*model AUC: +([0-9.]+).*", "$1"));
    assertTrue(auc > AUC_FLOOR, "AUC " + auc);

    // The driver and both executors attested, and the executors say so in their own logs.
    assertTrue(r.out().contains("cluster: 2 executor JVMs attested"), r.toString());
    String audit = r.out().replaceAll("(?s).*key broker audit: ([^\n]*).*", "$1");
    int attested = Integer.parseInt(audit.replaceAll(".*?(\\d+) attest allow.*", "$1"));
    assertTrue(attested >= 3, "driver and both executors attested: " + audit);
    assertFalse(audit.contains("deny"), audit);
    List<Path> executorLogs;
    try (Stream<Path> files = Files.walk(work.resolve("spark-home").resolve("work"))) {
      executorLogs = files.filter(f -> f.getFileName().toString().equals("stderr")).toList();
    }
    assertEquals(2, executorLogs.size(), executorLogs.toString());
    for (Path log : executorLogs) {
      assertTrue(Files.readString(log).contains("ppml-agent: attested to https://127.0.0.1:"), log.toString());
    }
  }

  @Test
  void refusesAWorkDirectoryThatAlreadyHoldsACanaryNamingTheFile() throws Exception {
    Path work = Files.createDirectories(tmp.resolve("leaky"));
    Path leak = work.resolve("notes.txt");
    Files.writeString(leak, "customer PPMLCANARY4711 lives at Main Street\n");
    CliRun r = demo(work, "300", "3000");
    // Refused by the scan before Spark starts: nothing of the pipeline was written.
    assertFalse(Files.exists(work.resolve("data")), r.toString());
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.err().contains(leak.toString()), r.toString());
    assertFalse(r.err().contains("Main Street"), r.toString());
    assertFalse(r.out().contains(DemoCommand.NO_CANARY), r.toString());
  }
}
