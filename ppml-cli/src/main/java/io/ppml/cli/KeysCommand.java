package io.ppml.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ppml.core.kms.KeyManagementService;
import io.ppml.core.kms.KeyNames;
import io.ppml.core.kms.PrimaryKeyInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ppml keys create|list|rotate|disable|enable|rewrap}: primary keys of the key management service. */
@Command(
    name = "keys",
    description = "Manage primary keys: create, list, rotate, disable, enable, and re-wrap files under the newest "
        + "version.",
    subcommands = {
      KeysCommand.Create.class,
      KeysCommand.ListKeys.class,
      KeysCommand.Rotate.class,
      KeysCommand.Disable.class,
      KeysCommand.Enable.class,
      KeysCommand.Rewrap.class,
    })
final class KeysCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a keys subcommand is required");
  }

  @Command(name = "create", description = "Create primary key NAME at version 1.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "Key name: letters, digits, '.', '_', '-'.")
    String name;

    @Override
    public Integer call() throws Exception {
      if (!KeyNames.isValid(name)) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "invalid key name '" + name + "': use 1-255 letters, digits, '.', '_' or '-', starting with a "
                + "letter or digit");
      }
      try (KeyManagementService kms = KeyServiceOptions.of(spec).open()) {
        PrimaryKeyInfo info = kms.createKey(name);
        spec.commandLine().getOut().println("created key " + info.name() + " v" + info.currentVersion());
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List primary keys: name, newest version, created, rotated, enabled.")
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      List<PrimaryKeyInfo> keys;
      try (KeyManagementService kms = KeyServiceOptions.of(spec).open()) {
        keys = kms.listKeys();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode array = mapper.createArrayNode();
        for (PrimaryKeyInfo k : keys) {
          ObjectNode o = array.addObject();
          o.put("name", k.name()).put("version", k.currentVersion()).put("created", k.created().toString())
              .put("rotated", k.rotated() == null ? null : k.rotated().toString()).put("enabled", k.enabled());
        }
        out.println(mapper.writeValueAsString(array));
        return 0;
      }
      int width = Math.max(4, keys.stream().mapToInt(k -> k.name().length()).max().orElse(0));
      String row = "%-" + width + "s  %7s  %-20s  %-20s  %s%n";
      out.printf(row, "NAME", "VERSION", "CREATED", "ROTATED", "ENABLED");
      for (PrimaryKeyInfo k : keys) {
        out.printf(row, k.name(), k.currentVersion(), time(k.created()), time(k.rotated()), k.enabled() ? "yes" : "no");
      }
      return 0;
    }

    private static String time(Instant t) {
      return t == null ? "-" : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
  }

  @Command(name = "rotate", description = "Add a new version to key NAME; new files use it, old versions keep "
      + "decrypting.")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      try (KeyManagementService kms = KeyServiceOptions.of(spec).open()) {
        PrimaryKeyInfo info = kms.rotateKey(name);
        spec.commandLine().getOut().println("rotated key " + info.name() + " to v" + info.currentVersion());
      }
      return 0;
    }
  }

  @Command(name = "disable", description = {
      "Disable key NAME: every use of any of its versions is refused until it is enabled again.",
      "Nothing is deleted; with --kbs this needs --kbs-admin-key."})
  static final class Disable extends SetEnabled {
    Disable() {
      super(false);
    }
  }

  @Command(name = "enable", description = "Enable key NAME again after 'keys disable'.")
  static final class Enable extends SetEnabled {
    Enable() {
      super(true);
    }
  }

  private abstract static class SetEnabled implements Callable<Integer> {
    private final boolean enabled;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME")
    String name;

    SetEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    @Override
    public Integer call() throws Exception {
      KeyServiceOptions.of(spec).setKeyEnabled(name, enabled);
      spec.commandLine().getOut().println((enabled ? "enabled" : "disabled") + " key " + name);
      return 0;
    }
  }

  @Command(name = "rewrap", description = {
      "Re-wrap each encrypted file's data key under the newest version of its primary key.",
      "Only the header changes; each file is verified in full and replaced atomically."})
  static final class Rewrap implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Encrypted files to re-wrap in place.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (KeyManagementService kms = KeyServiceOptions.of(spec).open()) {
        for (Path file : files) {
          FileEncryption.Rewrapped r = FileEncryption.rewrap(kms, file);
          out.println(r.changed()
              ? file + ": " + r.keyName() + " v" + r.fromVersion() + " -> v" + r.toVersion()
              : file + ": already at " + r.keyName() + " v" + r.toVersion());
        }
      }
      return 0;
    }
  }
}
