package io.ppml.spark.plugin;

import io.ppml.attestation.kbs.KbsClientConfig;
import io.ppml.spark.agent.AgentSettings;
import io.ppml.spark.kms.ExecutorKms;
import io.ppml.spark.kms.KmsSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spark.plugins=io.ppml.spark.plugin.PpmlSparkPlugin}: refuses to run a job that is not protected end to
 * end. The driver and every executor must be attested JVMs ({@link io.ppml.spark.agent.AttestedJvm}: the agent
 * or, for a driver inside an application, {@code AttestedJvm.bootstrap}); the configuration must keep mutual
 * TLS, shuffle and spill encryption on and event logs and an unencrypted UI off ({@link ProtectionCheck}); and
 * the TLS servers of this very JVM must demonstrably refuse a client without an attested certificate
 * ({@link ClientAuthProbe}). Any failure stops the driver (SparkContext creation fails) or the executor (which
 * then never runs a task), with a message naming the rule.
 */
public final class PpmlSparkPlugin implements SparkPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(PpmlSparkPlugin.class);

  @Override
  public DriverPlugin driverPlugin() {
    return new PpmlDriverPlugin();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new PpmlExecutorPlugin();
  }

  /** Spark setting that starts executor JVMs with the agent. */
  public static final String EXECUTOR_JAVA_OPTIONS = "spark.executor.extraJavaOptions";

  /**
   * The settings of a protected session whose executors Spark starts itself (standalone, {@code local-cluster}):
   * this plugin, the agent {@code agentJar} in every executor JVM with {@code executorAgent}'s environment, and
   * data keys from that agent's key broker. The driver JVM itself must be attested already.
   */
  public static Map<String, String> sessionSettings(AgentSettings executorAgent, Path agentJar) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("spark.plugins", PpmlSparkPlugin.class.getName());
    m.put(EXECUTOR_JAVA_OPTIONS, "-javaagent:" + agentJar.toAbsolutePath());
    m.put(KmsSettings.TYPE, KmsSettings.TYPE_KBS);
    m.put(KbsClientConfig.URL, executorAgent.kbsUrl().toString());
    m.put(KbsClientConfig.CA, executorAgent.kbsCa().toString());
    m.put(KbsClientConfig.TEE, executorAgent.tee());
    if (executorAgent.teeState() != null) {
      m.put(KbsClientConfig.SIMULATED_STATE, executorAgent.teeState().toString());
    }
    executorAgent.toEnvironment().forEach((k, v) -> m.put("spark.executorEnv." + k, v));
    return m;
  }

  /** Wipes the JVM's cached keys when the driver or an executor shuts down. */
  static void closeKeyServices() {
    try {
      ExecutorKms.closeAll();
    } catch (Exception e) {
      LOG.warn("ppml: closing the key services failed: {}", e.getMessage());
    }
  }
}
