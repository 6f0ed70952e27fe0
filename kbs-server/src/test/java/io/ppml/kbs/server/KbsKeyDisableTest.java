package io.ppml.kbs.server;

import static io.ppml.kbs.server.KbsFixture.error;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.ppml.attestation.kbs.KbsClient;
import io.ppml.core.error.ErrorCode;
import io.ppml.core.error.KeyAccessDeniedException;
import io.ppml.core.error.UnknownKeyException;
import io.ppml.core.kms.DataKey;
import io.ppml.core.secret.SecretBytes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Disabling and re-enabling primary keys through the admin API. */
class KbsKeyDisableTest {
  @TempDir Path dir;

  @Test
  void disableNeedsAnAdminAndStopsReleaseUntilEnabled() throws Exception {
    try (KbsFixture kbs = KbsFixture.start(dir);
         KbsClient admin = kbs.adminClient();
         KbsClient workload = kbs.workload()) {
      admin.createKey("k");
      DataKey dk = workload.generateDataKey("k");
      String unwrapBody = "{\"wrapped\":\"" + dk.wrapped().toBase64() + "\"}";

      HttpResponse<String> anonymous = kbs.send("POST", "/kbs/v0/admin/keys/k/disable", "{}");
      assertEquals(401, anonymous.statusCode());
      assertEquals("admin-unauthenticated", error(anonymous));
      String token = kbs.token();
      HttpResponse<String> byWorkload = kbs.send("POST", "/kbs/v0/admin/keys/k/disable", "{}",
          "Authorization", "Bearer " + token);
      assertEquals(401, byWorkload.statusCode());
      assertEquals("admin-unauthenticated", error(byWorkload));
      assertTrue(admin.listKeys().get(0).enabled(), "refused requests change nothing");

      assertFalse(admin.setKeyEnabled("k", false).enabled());
      HttpResponse<String> denied = kbs.send("POST", "/kbs/v0/keys/unwrap", unwrapBody,
          "Authorization", "Bearer " + token);
      assertEquals(403, denied.statusCode());
      assertEquals("key-disabled", error(denied));
      KeyAccessDeniedException typed = assertThrows(KeyAccessDeniedException.class,
          () -> workload.generateDataKey("k"));
      assertEquals(ErrorCode.ACCESS_DENIED, typed.code());
      assertEquals("k", typed.keyName());

      assertTrue(admin.setKeyEnabled("k", true).enabled());
      try (SecretBytes back = workload.unwrap(dk.wrapped())) {
        assertArrayEquals(dk.plaintext().toByteArray(), back.toByteArray());
      }
      assertEquals("nope", assertThrows(UnknownKeyException.class,
          () -> admin.setKeyEnabled("nope", false)).keyName());

      List<String> adminEvents = new ArrayList<>();
      for (JsonNode rec : admin.audit(1, 1000).path("records")) {
        String event = rec.path("event").asText();
        if (event.endsWith("able-key")) {
          assertEquals("admin:" + DevKbs.ADMIN_NAME, rec.path("subject").asText());
          adminEvents.add(event + " " + rec.path("target").asText());
        }
      }
      assertEquals(List.of("admin.disable-key k", "admin.enable-key k", "admin.disable-key nope"), adminEvents);
      assertTrue(AuditChain.verify(dir.resolve("audit.log")).ok());
      dk.close();
    }
  }
}
