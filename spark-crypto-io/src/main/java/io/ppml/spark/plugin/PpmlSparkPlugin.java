package io.ppml.spark.plugin;

import io.ppml.spark.kms.ExecutorKms;
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

  /** Wipes the JVM's cached keys when the driver or an executor shuts down. */
  static void closeKeyServices() {
    try {
      ExecutorKms.closeAll();
    } catch (Exception e) {
      LOG.warn("ppml: closing the key services failed: {}", e.getMessage());
    }
  }
}
