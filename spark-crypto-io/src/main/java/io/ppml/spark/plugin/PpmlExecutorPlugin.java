package io.ppml.spark.plugin;

import io.ppml.spark.agent.AttestedJvm;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor side of {@link PpmlSparkPlugin}. Spark calls {@link #init} before the executor accepts a task and
 * stops the executor when it throws.
 */
final class PpmlExecutorPlugin implements ExecutorPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(PpmlExecutorPlugin.class);

  @Override
  public void init(PluginContext context, Map<String, String> extraConf) {
    AttestedJvm jvm = AttestedJvm.current().orElseThrow(() -> new IllegalStateException(
        "ppml: executor " + context.executorID() + " is not attested: its JVM must run with "
            + "-javaagent:ppml-agent.jar (spark.executor.extraJavaOptions) and the PPML_KBS_* environment"));
    SparkEnv env = SparkEnv.get();
    List<String> violations = ProtectionCheck.violations(org.apache.spark.package$.MODULE$.SPARK_VERSION(),
        PpmlDriverPlugin.settings(env.conf()));
    if (!violations.isEmpty()) {
      throw new IllegalStateException("ppml: executor " + context.executorID()
          + " configuration does not protect the job: " + String.join("; ", violations));
    }
    ClientAuthProbe.requireRefusal("executor " + context.executorID() + " block transfer server",
        env.blockManager().blockManagerId().host(), env.blockManager().blockManagerId().port());
    LOG.info("ppml: executor {} attested in {} ms ({}); mutual TLS verified on its block transfer port",
        context.executorID(), jvm.attestationTime().toMillis(), jvm.identity().subject());
  }

  @Override
  public void shutdown() {
    PpmlSparkPlugin.closeKeyServices();
    AttestedJvm.current().ifPresent(AttestedJvm::close);
  }
}
