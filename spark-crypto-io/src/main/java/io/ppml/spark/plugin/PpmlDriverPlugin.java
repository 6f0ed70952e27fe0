package io.ppml.spark.plugin;

import io.ppml.spark.agent.AttestedJvm;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/** The driver side of {@link PpmlSparkPlugin}. */
final class PpmlDriverPlugin implements DriverPlugin {
  private static final Logger LOG = LoggerFactory.getLogger(PpmlDriverPlugin.class);

  @Override
  public Map<String, String> init(SparkContext sc, PluginContext context) {
    AttestedJvm jvm = AttestedJvm.current().orElseThrow(() -> new IllegalStateException(
        "ppml: the driver JVM is not attested: start it with -javaagent:ppml-agent.jar and the PPML_KBS_* "
            + "environment, or call AttestedJvm.bootstrap before creating the SparkSession"));
    SparkConf conf = sc.getConf();
    List<String> violations = ProtectionCheck.violations(sc.version(), settings(conf));
    if (!violations.isEmpty()) {
      throw new IllegalStateException("ppml: this Spark configuration does not protect the job: "
          + String.join("; ", violations));
    }
    ClientAuthProbe.requireRefusal("the driver's RPC server", conf.get("spark.driver.host"),
        conf.getInt("spark.driver.port", 0));
    ExecutorStartFailures.watch();
    LOG.info("ppml: driver attested to {} ({}); mutual TLS verified on the driver's RPC port",
        jvm.settings().kbsUrl(), jvm.identity().subject());
    return Map.of();
  }

  @Override
  public void shutdown() {
    PpmlSparkPlugin.closeKeyServices();
  }

  static Map<String, String> settings(SparkConf conf) {
    Map<String, String> m = new HashMap<>();
    for (Tuple2<String, String> e : conf.getAll()) {
      m.put(e._1(), e._2());
    }
    return m;
  }
}
