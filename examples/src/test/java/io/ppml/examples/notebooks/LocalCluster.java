package io.ppml.examples.notebooks;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.spark.SparkConf;

/**
 * Turns the settings of a note's {@code %spark.conf} paragraph, written for the TDX Kubernetes cluster, into
 * those of a {@code local[2]} Spark in the test JVM. Every setting is applied as written except:
 * <ul>
 *   <li>cluster-only settings, dropped: {@link #CLUSTER_ONLY} and the prefixes {@link #CLUSTER_ONLY_PREFIXES}
 *       (master, Kubernetes, executor count and environment, class path, the {@code -javaagent} option and the
 *       PPML Spark plugin, which work together with the attestation agent that this JVM does not load);</li>
 *   <li>upper-case entries, which Zeppelin passes to the interpreter process as environment variables (the
 *       agent's {@code PPML_*} variables): not applied;</li>
 *   <li>the {@code overrides} given, which win: here the master, the confinement of Spark's files to the test
 *       directory and, since the test's key broker accepts only its simulated TDX platform,
 *       {@code spark.ppml.tee=simulated} with the platform's state.</li>
 * </ul>
 */
final class LocalCluster {
  static final Set<String> CLUSTER_ONLY = Set.of("spark.master", "spark.submit.deployMode",
      "spark.executor.instances", "spark.driver.extraClassPath", "spark.executor.extraClassPath",
      "spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions", "spark.plugins", "spark.jars");
  static final List<String> CLUSTER_ONLY_PREFIXES = List.of("spark.kubernetes.", "spark.executorEnv.");

  private LocalCluster() {}

  static SparkConf conf(Properties noteConf, Map<String, String> overrides) {
    SparkConf conf = new SparkConf(false);
    for (String key : noteConf.stringPropertyNames()) {
      if (!isClusterOnly(key) && !isEnvironment(key)) {
        conf.set(key, noteConf.getProperty(key));
      }
    }
    overrides.forEach(conf::set);
    return conf;
  }

  private static boolean isClusterOnly(String key) {
    return CLUSTER_ONLY.contains(key) || CLUSTER_ONLY_PREFIXES.stream().anyMatch(key::startsWith);
  }

  private static boolean isEnvironment(String key) {
    return key.matches("[A-Z_0-9]+");
  }
}
