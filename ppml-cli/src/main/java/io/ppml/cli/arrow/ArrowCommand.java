package io.ppml.cli.arrow;

import io.ppml.core.config.PpmlHome;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.spark.arrow.EncryptedArrow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml arrow ...}: encrypted Arrow exports ({@link EncryptedArrow}). */
@Command(name = "arrow", description = "Encrypted Arrow IPC files written by EncryptedArrow.write.",
    subcommands = {ArrowCommand.Inspect.class})
public final class ArrowCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /**
   * {@code ppml arrow inspect FILE}: decrypts and authenticates the whole file, then prints the Arrow schema (field
   * names, types, nullability), the number of record batches and rows. Prints no values.
   */
  @Command(name = "inspect", description = "Decrypt an encrypted Arrow file and print its schema, batch and row "
      + "counts (no values). Fails if any byte was changed.")
  static final class Inspect implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws Exception {
      long rows = 0;
      long batches = 0;
      PrintWriter out = spec.commandLine().getOut();
      try (KeyManagementService kms = LocalKms.open(PpmlHome.resolve(home()));
           ArrowStreamReader reader = EncryptedArrow.openStream(file, kms)) {
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        while (reader.loadNextBatch()) {
          batches++;
          rows += root.getRowCount();
        }
        out.println("file     " + file);
        out.println("schema");
        for (Field f : root.getSchema().getFields()) {
          out.println("  " + f.getName() + ": " + f.getType() + (f.isNullable() ? "" : " not null"));
        }
      }
      out.println("batches  " + batches);
      out.println("rows     " + rows);
      return 0;
    }

    /** The root command's {@code --home} (the key store), read through picocli's model. */
    private Path home() {
      CommandLine.Model.OptionSpec option = spec.root().findOption("--home");
      return option == null ? null : option.getValue();
    }
  }
}
