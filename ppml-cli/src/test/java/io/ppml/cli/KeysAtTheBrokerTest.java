package io.ppml.cli;

import static io.ppml.cli.CliRun.ppml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ppml.kbs.server.DevKbs;
import io.ppml.kbs.server.KbsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ppml --kbs ... keys ...} and file commands against a development key broker in this JVM. */
class KeysAtTheBrokerTest {
  @TempDir Path tmp;

  @Test
  void disableAndEnableAtTheBrokerNeedTheAdminKeyAndGateEncryption() throws Exception {
    Path state = tmp.resolve("kbs");
    Path plain = Files.writeString(tmp.resolve("rows.csv"), "id,name\n1,customer-secret\n");
    try (KbsServer kbs = KbsServer.start(DevKbs.prepare(state, 0, Clock.systemUTC()))) {
      List<String> broker = List.of("--kbs", kbs.url().toString(), "--kbs-ca", state.resolve(DevKbs.CA).toString(),
          "--tee", "simulated", "--tee-state", state.resolve(DevKbs.SIMULATED).toString());
      List<String> admin = new ArrayList<>(broker);
      admin.addAll(List.of("--kbs-admin-key", state.resolve(DevKbs.ADMIN_KEY).toString()));
      Path home = tmp.resolve("unused-home");

      assertEquals(0, run(home, admin, "keys", "create", "customers").exitCode());
      CliRun noAdmin = run(home, broker, "keys", "disable", "customers");
      assertEquals(1, noAdmin.exitCode(), noAdmin.toString());
      assertTrue(noAdmin.err().contains("no admin credential"), noAdmin.toString());

      CliRun off = run(home, admin, "keys", "disable", "customers");
      assertEquals(0, off.exitCode(), off.toString());
      assertTrue(run(home, admin, "keys", "list", "--json").out().contains("\"enabled\" : false"));
      String out = tmp.resolve("rows.csv.ppml").toString();
      CliRun refused = run(home, broker, "encrypt", "--key", "customers", plain.toString(), out);
      assertEquals(1, refused.exitCode(), refused.toString());
      assertTrue(refused.err().contains("customers"), refused.toString());
      assertFalse(Files.exists(Path.of(out)));

      assertEquals(0, run(home, admin, "keys", "enable", "customers").exitCode());
      CliRun encrypted = run(home, broker, "encrypt", "--key", "customers", plain.toString(), out);
      assertEquals(0, encrypted.exitCode(), encrypted.toString());
      assertFalse(Files.exists(home), "the local store was never opened");
    }
  }

  private static CliRun run(Path home, List<String> options, String... command) {
    List<String> args = new ArrayList<>(options);
    args.addAll(List.of(command));
    return ppml(home, args.toArray(String[]::new));
  }
}
