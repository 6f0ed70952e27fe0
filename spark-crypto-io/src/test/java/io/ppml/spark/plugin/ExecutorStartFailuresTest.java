package io.ppml.spark.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The messages of Spark's standalone and Kubernetes backends are translated; other exit codes are not. */
class ExecutorStartFailuresTest {
  @Test
  void agentExitCodesBecomeExplanations() {
    int before = ExecutorStartFailures.reported().size();
    ExecutorStartFailures.explain("Executor app-20261204-0001/3 removed: Command exited with code 73");
    ExecutorStartFailures.explain("The executor with id 7 exited with exit code 72(unexpected).");
    ExecutorStartFailures.explain("Executor app-20261204-0001/4 removed: Command exited with code 137");
    ExecutorStartFailures.explain("Executor app-20261204-0001/5 removed: Worker shutting down");
    List<String> reported = ExecutorStartFailures.reported();
    assertEquals(before + 2, reported.size(), reported.toString());
    String standalone = reported.get(before);
    assertTrue(standalone.startsWith("executor app-20261204-0001/3 did not start: the key broker's policy denied "
        + "the attestation (ppml-agent exit 73, step attestation)"), standalone);
    String kubernetes = reported.get(before + 1);
    assertTrue(kubernetes.startsWith("executor 7 did not start: the key broker was unreachable or not trusted"),
        kubernetes);
  }
}
