package io.ppml.cli;

import io.ppml.core.config.PpmlHome;
import io.ppml.core.error.PpmlException;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.LocalKms;
import io.ppml.core.kms.PrimaryKeyInfo;
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

  @Option(names = "--kbs", paramLabel = "URL", scope = ScopeType.INHERIT,
      description = "Use the Key Broker Service at this https URL instead of the local key store.")
  java.net.URI kbs;

  @Option(names = "--kbs-ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "CA certificate (PEM) the KBS's TLS certificate must chain to.")
  Path kbsCa;

  @Option(names = "--tee", paramLabel = "tdx|simulated", scope = ScopeType.INHERIT,
      description = "Evidence for the KBS: tdx (configfs-tsm) or simulated (development only).")
  String tee;

  @Option(names = "--tee-state", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Simulated TDX platform directory for --tee simulated (the dev KBS state's simulated/).")
  Path teeState;

  @Option(names = "--kbs-admin-key", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Admin private key (PEM) for creating, rotating, disabling, enabling and listing keys at "
          + "the KBS.")
  Path kbsAdminKey;

  /** Opens the key management service these options name; the caller closes it. */
  KeyManagementService open() throws PpmlException {
    if (kbs != null) {
      return io.ppml.attestation.kbs.KbsKeyManagementService.open(kbsConfig());
    }
    return LocalKms.open(PpmlHome.resolve(home));
  }

  /**
   * Disables or re-enables primary key {@code name} in the store these options name. An administrative act
   * outside the {@link KeyManagementService} contract: the local store does it directly, the key broker needs
   * {@code --kbs-admin-key}.
   */
  PrimaryKeyInfo setKeyEnabled(String name, boolean enabled) throws PpmlException {
    if (kbs != null) {
      try (var broker = io.ppml.attestation.kbs.KbsKeyManagementService.open(kbsConfig())) {
        return broker.setEnabled(name, enabled);
      }
    }
    try (LocalKms local = LocalKms.open(PpmlHome.resolve(home))) {
      return local.setEnabled(name, enabled);
    }
  }

  private io.ppml.attestation.kbs.KbsClientConfig kbsConfig() {
    return new io.ppml.attestation.kbs.KbsClientConfig(kbs, kbsCa, tee, teeState, kbsAdminKey, "admin");
  }
}
