package io.ppml.cli;

import io.ppml.core.format.FileHeader;
import io.ppml.core.kms.KeyManagementService;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml decrypt IN OUT}: a file in the segmented encrypted format back to plaintext. */
@Command(name = "decrypt", description = {
    "Decrypt IN to OUT, verifying every segment.",
    "OUT appears only after the last segment verified; a damaged IN leaves no OUT."})
final class DecryptCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--force", description = "Replace OUT if it exists.")
  boolean force;

  @Parameters(index = "0", paramLabel = "IN")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT")
  Path out;

  @Override
  public Integer call() throws Exception {
    try (KeyManagementService kms = KeyServiceOptions.of(spec).open()) {
      FileHeader h = FileEncryption.decrypt(kms, in, out, force, Progress.onTerminal(spec.commandLine().getErr()));
      spec.commandLine().getOut().println("decrypted " + in + " -> " + out + " (key " + h.keyName() + " v"
          + h.keyVersion() + ")");
    }
    return 0;
  }
}
