package io.ppml.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ppml demo} in-process, at small sizes. */
class DemoCommandTest {
  @TempDir Path tmp;

  private static CliRun demo(Path work, String customers, String transactions) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = PpmlCommand.execute(new PrintWriter(out, true), new PrintWriter(err, true), "demo", "--workdir",
        work.toString(), "--customers", customers, "--transactions", transactions);
    return new CliRun(code, out.toString(), err.toString());
  }

  @Test
  void runsThePipelineAndFindsNoCanary() {
    Path work = tmp.resolve("demo");
    CliRun r = demo(work, "600", "6000");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.out().contains(DemoCommand.NO_CANARY), r.toString());
    for (String stage : new String[] {"generate", "etl", "training", "inference", "queries", "model AUC:"}) {
      assertTrue(r.out().contains(stage), stage + " missing from " + r);
    }
    assertTrue(Files.isDirectory(work.resolve("data").resolve("model")));
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
