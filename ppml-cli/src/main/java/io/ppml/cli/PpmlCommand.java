package io.ppml.cli;

import io.ppml.core.error.PpmlException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code ppml} command. Exit codes: 0 success; 1 failure (one line on stderr naming what failed);
 * 2 usage error, or a decision that rejected the input (for example a policy rejecting a quote).
 */
@Command(
    name = "ppml",
    mixinStandardHelpOptions = true,
    // --help and --version on every subcommand.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = PpmlCommand.Version.class,
    description = "Confidential analytics on Apache Spark: keys, encrypted files, attestation.",
    subcommands = {
      CommandLine.HelpCommand.class,
      io.ppml.cli.quote.QuoteCommand.class,
      KeysCommand.class,
      EncryptCommand.class,
      DecryptCommand.class,
      InspectCommand.class,
      DemoCommand.class,
      io.ppml.cli.arrow.ArrowCommand.class,
      io.ppml.cli.kbs.KbsCommand.class,
      io.ppml.cli.kbs.AuditCommand.class,
      io.ppml.cli.k8s.K8sCommand.class,
    })
public final class PpmlCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin KeyServiceOptions keyService;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code; prints failures as one line on stderr. */
  public static int execute(String... args) {
    return execute(null, null, args);
  }

  /** As {@link #execute(String...)}, printing to {@code out} and {@code err} where given (null: the console). */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cmd = new CommandLine(new PpmlCommand());
    if (out != null) {
      cmd.setOut(out);
    }
    if (err != null) {
      cmd.setErr(err);
    }
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println("ppml: " + oneLine(ex));
      return 1;
    });
    return cmd.execute(args);
  }

  /** The message a user acts on: the typed error's message, or the exception type when it has none. */
  static String oneLine(Throwable ex) {
    Throwable t = ex;
    while (!(t instanceof PpmlException) && t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    String msg = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    return msg.replace('\n', ' ');
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = PpmlCommand.class.getPackage().getImplementationVersion();
      return new String[] {"ppml " + (v == null ? "dev" : v)};
    }
  }
}
