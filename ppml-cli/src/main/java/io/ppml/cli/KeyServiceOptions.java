package io.ppml.cli;

import io.ppml.core.config.PpmlHome;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the commands find their keys: the options every key-using command accepts, in one place. Today that is
 * the embedded key store ({@link LocalKms}, the development default); options for the key broker belong here
 * too, and {@link #open()} will choose between the two.
 */
final class KeyServiceOptions {
  @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Key store directory (default: $" + PpmlHome.ENV + ", else ~/" + PpmlHome.DEFAULT_DIR + ").")
  Path home;

  /** The options given to the {@code ppml} command that {@code spec} belongs to. */
  static KeyServiceOptions of(CommandSpec spec) {
    return ((PpmlCommand) spec.root().userObject()).keyService;
  }

  /** Opens the key management service these options name; the caller closes it. */
  KeyManagementService open() throws PpmlException {
    return LocalKms.open(PpmlHome.resolve(home));
  }
}
