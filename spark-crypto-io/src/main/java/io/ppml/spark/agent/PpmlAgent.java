package io.ppml.spark.agent;

import java.lang.instrument.Instrumentation;

/**
 * The {@code -javaagent} entry point ({@code ppml-agent.jar}): attests this JVM before its {@code main} runs, so
 * that a Spark driver or executor has its key broker token, its TLS identity and its mutual-TLS provider before
 * Spark opens a single connection. See {@link AttestedJvm} for what happens and the environment it reads.
 *
 * <p>This class touches nothing but the JDK until it knows it runs in a Spark JVM: with
 * {@code JAVA_TOOL_OPTIONS}, the agent is also loaded into Spark's launcher ({@code spark-submit} computes the
 * real command in a short-lived JVM whose class path holds none of ppml), which is left alone.
 */
public final class PpmlAgent {
  private static final String SPARK_LAUNCHER = "org.apache.spark.launcher.Main";

  private PpmlAgent() {}

  public static void premain(String args, Instrumentation instrumentation) {
    if (System.getProperty("sun.java.command", "").startsWith(SPARK_LAUNCHER)) {
      return;
    }
    AttestedJvm.startAsAgent(System.getenv());
  }
}
