package io.ppml.cli.kbs;

import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsBackup;
import io.ppml.kbs.server.KbsConfig;
import io.ppml.kbs.server.KbsServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ppml kbs serve|backup|restore}: run and maintain the Key Broker Service. */
@Command(name = "kbs", mixinStandardHelpOptions = true,
    description = "Run and maintain the Key Broker Service (attestation-gated key release).",
    subcommands = {KbsCommand.Serve.class, KbsCommand.Backup.class, KbsCommand.Restore.class})
public final class KbsCommand {

  /** {@code ppml kbs serve --config FILE} or {@code ppml kbs serve --dev --port N --state DIR}. */
  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Start the KBS and serve until interrupted (SIGTERM/SIGINT stop it gracefully).")
  public static final class Serve implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    static final class Mode {
      @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see docs/kbs.md).")
      Path config;

      @Option(names = "--dev", description = "DEVELOPMENT MODE: simulated TDX allowed, credentials in --state.")
      boolean dev;
    }

    @Option(names = "--port", paramLabel = "N", defaultValue = "8443", description = "Port for --dev (0: any).")
    int port;

    @Option(names = "--state", paramLabel = "DIR", description = "State directory for --dev.")
    Path state;

    @Override
    public Integer call() throws Exception {
      KbsConfig config;
      if (mode.dev) {
        if (state == null) {
          throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--dev needs --state DIR");
        }
        config = DevKbs.prepare(state.toAbsolutePath(), port, Clock.systemUTC());
        System.err.println(DevKbs.banner(state.toAbsolutePath()));
      } else {
        config = KbsConfig.load(mode.config);
      }
      KbsServer server = KbsServer.start(config);
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        stopped.countDown();
      }, "kbs-shutdown"));
      System.out.println("listening on " + server.url());
      if (mode.dev) {
        System.out.println("CA certificate: " + config.caCertificate());
      }
      System.out.flush();
      stopped.await();
      return 0;
    }
  }

  /** {@code ppml kbs backup --state DIR --out FILE}. */
  @Command(name = "backup", mixinStandardHelpOptions = true,
      description = "Save the wrapped primary keys, sealed resources and policies (never the root key).")
  public static final class Backup implements Callable<Integer> {
    @Option(names = "--state", required = true, paramLabel = "DIR") Path state;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      int n = KbsBackup.backup(state, out);
      spec.commandLine().getOut().println("backed up " + n + " files to " + out + " (restore needs the same root key)");
      return 0;
    }
  }

  /** {@code ppml kbs restore --backup FILE --state DIR}. */
  @Command(name = "restore", mixinStandardHelpOptions = true,
      description = "Restore a backup into an empty state directory; the same root key must be provided.")
  public static final class Restore implements Callable<Integer> {
    @Option(names = "--backup", required = true, paramLabel = "FILE") Path backup;
    @Option(names = "--state", required = true, paramLabel = "DIR") Path state;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      int n = KbsBackup.restore(backup, state);
      spec.commandLine().getOut().println("restored " + n + " files into " + state
          + "; put the same root key in place (keys/root.key or the PKCS#11 token) before starting the KBS");
      return 0;
    }
  }
}
