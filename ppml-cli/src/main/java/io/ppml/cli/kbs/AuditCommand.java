package io.ppml.cli.kbs;

import io.ppml.kbs.server.AuditChain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ppml audit verify FILE}: checks the KBS audit log's hash chain. */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "KBS audit log tools.",
    subcommands = {AuditCommand.Verify.class})
public final class AuditCommand {

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify sequence numbers and the hash chain; exit 1 naming the first bad sequence number.")
  public static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      AuditChain.Result r = AuditChain.verify(file);
      if (!r.ok()) {
        spec.commandLine().getErr().println("ppml: audit log " + file + " is broken at sequence " + r.firstBadSeq() + ": "
            + r.problem());
        return 1;
      }
      spec.commandLine().getOut().println("audit log " + file + " intact: " + r.records() + " records, head " + r.headHash());
      return 0;
    }
  }
}
