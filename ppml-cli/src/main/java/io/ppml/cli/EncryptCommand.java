package io.ppml.cli;

import io.ppml.core.format.FileHeader;
import io.ppml.core.format.SegmentedAeadFormat;
import io.ppml.core.kms.KeyManagementService;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml encrypt --key NAME IN OUT}: a file into the segmented encrypted format. */
@Command(name = "encrypt", description = "Encrypt IN to OUT with a new data key wrapped by primary key NAME.")
final class EncryptCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, paramLabel = "NAME", description = "Primary key that wraps the data key.")
  String key;

  @Option(names = "--segment-size", paramLabel = "BYTES", description = "Plaintext bytes per segment "
      + "(default ${DEFAULT-VALUE}; " + SegmentedAeadFormat.MIN_SEGMENT_SIZE + " to "
      + SegmentedAeadFormat.MAX_SEGMENT_SIZE + ").")
  int segmentSize = SegmentedAeadFormat.DEFAULT_SEGMENT_SIZE;

  @Option(names = "--force", description = "Replace OUT if it exists.")
  boolean force;

  @Parameters(index = "0", paramLabel = "IN")
  Path in;

  @Parameters(index = "1", paramLabel = "OUT")
  Path out;

  @Override
  public Integer call() throws Exception {
    try {
      SegmentedAeadFormat.checkSegmentSize(segmentSize);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    try (KeyManagementService kms = KeyServiceOptions.of(spec).open()) {
      FileHeader h = FileEncryption.encrypt(kms, key, segmentSize, in, out, force,
          Progress.onTerminal(spec.commandLine().getErr()));
      spec.commandLine().getOut().println("encrypted " + in + " -> " + out + " (key " + h.keyName() + " v"
          + h.keyVersion() + ", segment size " + h.segmentSize() + ")");
    }
    return 0;
  }
}
