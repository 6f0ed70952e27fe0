package io.ppml.cli.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ppml.k8s.ClusterApplier;
import io.ppml.k8s.DeploymentConfig;
import io.ppml.k8s.DeploymentConfigException;
import io.ppml.k8s.ManifestRenderer;
import io.ppml.k8s.SubmitCommandBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ppml k8s render|apply|delete|submit}: run protected Spark jobs on a Kubernetes cluster with Intel TDX
 * confidential pods (docs/deploy-kubernetes.md). A configuration the tool rejects is a usage error (exit 2).
 */
@Command(name = "k8s", mixinStandardHelpOptions = true,
    description = "Render, apply and delete the Kubernetes objects of ppml-spark; submit protected Spark jobs.",
    subcommands = {K8sCommand.Render.class, K8sCommand.Apply.class, K8sCommand.Delete.class,
        K8sCommand.Submit.class})
public final class K8sCommand {

  /** The {@code --config} option shared by every subcommand. */
  static final class ConfigOption {
    @Spec(Spec.Target.MIXEE) CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Deployment configuration (YAML); keys left out take the documented defaults.")
    Path file;

    DeploymentConfig load() {
      try {
        return file == null ? DeploymentConfig.defaults() : DeploymentConfig.load(file);
      } catch (DeploymentConfigException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "configuration: " + e.getMessage());
      }
    }
  }

  @Command(name = "render", mixinStandardHelpOptions = true,
      description = "Write every manifest and the two Spark pod templates into a directory.")
  static final class Render implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Override
    public Integer call() throws IOException {
      PrintWriter w = spec.commandLine().getOut();
      for (Path p : new ManifestRenderer(config.load()).writeTo(out)) {
        w.println(p);
      }
      w.flush();
      return 0;
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Create or update every object in the current kube context.")
  static final class Apply implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      ManifestRenderer renderer = new ManifestRenderer(config.load());
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        print(spec, new ClusterApplier(client).apply(renderer.clusterObjects()));
      }
      return 0;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete the objects from the current kube context; the KBS state and namespace are kept "
          + "unless --include-state.")
  static final class Delete implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--include-state",
        description = "Also delete the KBS state volume (root key, wrapped keys, audit log) and the namespace.")
    boolean includeState;

    @Override
    public Integer call() throws IOException {
      ManifestRenderer renderer = new ManifestRenderer(config.load());
      try (KubernetesClient client = new KubernetesClientBuilder().build()) {
        print(spec, new ClusterApplier(client).delete(renderer.clusterObjects(), includeState));
      }
      return 0;
    }
  }

  @Command(name = "submit", mixinStandardHelpOptions = true,
      description = {"Run $SPARK_HOME/bin/spark-submit in cluster mode with the PPML pod templates and settings.",
          "Spark's own arguments follow '--': ppml k8s submit --config F -- --master k8s://https://H:6443 "
              + "--class C app.jar ARGS"})
  static final class Submit implements Callable<Integer> {
    @Mixin ConfigOption config;
    @Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--templates", paramLabel = "DIR",
        description = "Where to write the pod templates (default: a new temporary directory).")
    Path templates;

    @Option(names = "--print-args",
        description = "Print the spark-submit arguments, each followed by a NUL byte, instead of running it.")
    boolean printArgs;

    @Parameters(arity = "1..*", paramLabel = "SPARK_ARGS", description = "spark-submit arguments.")
    List<String> sparkArgs = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
      DeploymentConfig cfg = config.load();
      String sparkHome = System.getenv("SPARK_HOME");
      if (!printArgs && (sparkHome == null || sparkHome.isBlank())) {
        throw new IOException("SPARK_HOME is not set; point it at a Spark 4.2 distribution");
      }
      boolean temporary = templates == null;
      Path dir = temporary ? Files.createTempDirectory("ppml-k8s-templates-") : templates;
      ManifestRenderer renderer = new ManifestRenderer(cfg);
      Files.createDirectories(dir);
      Path driver = dir.resolve(ManifestRenderer.DRIVER_TEMPLATE_FILE);
      Path executor = dir.resolve(ManifestRenderer.EXECUTOR_TEMPLATE_FILE);
      Files.writeString(driver, renderer.toYaml(renderer.driverTemplate()));
      Files.writeString(executor, renderer.toYaml(renderer.executorTemplate()));
      List<String> args;
      try {
        args = new SubmitCommandBuilder(cfg, driver, executor).build(sparkArgs);
      } catch (DeploymentConfigException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
      }
      if (printArgs) {
        // The templates must outlive this process: spark-submit reads them after it exits.
        PrintWriter w = spec.commandLine().getOut();
        for (String a : args) {
          w.print(a);
          w.print('\0');
        }
        w.flush();
        return 0;
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(sparkHome, "bin", "spark-submit").toString());
      command.addAll(args);
      try {
        return new ProcessBuilder(command).inheritIO().start().waitFor();
      } finally {
        if (temporary) {
          deleteTree(dir);
        }
      }
    }
  }

  private static void print(CommandLine.Model.CommandSpec spec, List<String> lines) {
    PrintWriter w = spec.commandLine().getOut();
    lines.forEach(w::println);
    w.flush();
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
