package io.ppml.spark.plugin;

import io.ppml.spark.agent.AgentFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Explains, on the driver, executors that never started because their attestation failed. An executor whose
 * agent stops it has not registered with the driver, so Spark raises no listener event; its cluster manager
 * backend only logs the exit code (standalone: {@code Executor <id> removed: Command exited with code 73};
 * Kubernetes: {@code The executor with id <id> exited with exit code 73}). This watches those two loggers and
 * turns the agent's exit codes ({@link AgentFailure.Step}) into an error naming the failed step.
 */
public final class ExecutorStartFailures {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorStartFailures.class);
  private static final List<String> BACKENDS = List.of(
      "org.apache.spark.scheduler.cluster.StandaloneSchedulerBackend",
      "org.apache.spark.scheduler.cluster.k8s.ExecutorPodsLifecycleManager");
  private static final Pattern EXIT = Pattern.compile(
      "(?:Executor (\\S+) removed: Command exited with code|The executor with id (\\S+) exited with exit code)"
          + " (\\d+)");
  private static final int KEPT = 100;
  private static final List<String> FAILURES = new ArrayList<>();
  private static boolean watching;

  private ExecutorStartFailures() {}

  /** The explanations so far (at most the last 100), oldest first. */
  public static synchronized List<String> reported() {
    return List.copyOf(FAILURES);
  }

  /** Starts watching (once per JVM). Without Log4j 2 as Spark's logging backend, logs why it cannot. */
  static synchronized void watch() {
    if (watching) {
      return;
    }
    if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
      LOG.warn("ppml: executors stopped by failed attestation are reported only by exit code: the logging "
          + "backend is not Log4j 2");
      return;
    }
    Configuration config = context.getConfiguration();
    AbstractAppender appender = new AbstractAppender("ppml-executor-start-failures", null, null, true,
        Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        explain(event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    config.addAppender(appender);
    LoggerConfig root = config.getRootLogger();
    for (String backend : BACKENDS) {
      LoggerConfig logger = config.getLoggers().get(backend);
      if (logger == null) {
        // The exit lines are INFO; everything else of the backend still reaches the usual appenders at the
        // usual level only.
        logger = new LoggerConfig(backend, Level.INFO, false);
        for (org.apache.logging.log4j.core.Appender a : root.getAppenders().values()) {
          logger.addAppender(a, root.getLevel(), null);
        }
        config.addLogger(backend, logger);
      }
      logger.addAppender(appender, Level.INFO, null);
    }
    context.updateLoggers();
    watching = true;
  }

  static void explain(String message) {
    Matcher m = EXIT.matcher(message);
    if (!m.find()) {
      return;
    }
    AgentFailure.Step step = AgentFailure.Step.ofExitCode(Integer.parseInt(m.group(3)));
    if (step == null) {
      return;
    }
    String executor = m.group(1) != null ? m.group(1) : m.group(2);
    String explanation = "executor " + executor + " did not start: " + step.meaning() + " (ppml-agent exit "
        + step.exitCode() + ", step " + step.label() + "); the executor's stderr has the agent's line naming the "
        + "cause, the key broker's audit log the policy rule";
    LOG.error("ppml: {}", explanation);
    synchronized (ExecutorStartFailures.class) {
      if (FAILURES.size() == KEPT) {
        FAILURES.remove(0);
      }
      FAILURES.add(explanation);
    }
  }
}
