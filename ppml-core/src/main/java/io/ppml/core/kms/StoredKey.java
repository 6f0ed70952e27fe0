package io.ppml.core.kms;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One primary key as {@code keys.json} holds it: an enabled flag and its versions, oldest first, each with
 * its material wrapped by the root key. Immutable.
 */
record StoredKey(boolean enabled, List<Version> versions) {

  /** One version: number (1, 2, ...), creation time (ISO-8601) and {@code base64(nonce || ct || tag)}. */
  record Version(int version, String created, String material) {
    byte[] materialBytes() {
      return Base64.getDecoder().decode(material);
    }

    Instant createdAt() {
      return Instant.parse(created);
    }
  }

  StoredKey {
    versions = List.copyOf(versions);
  }

  int newest() {
    return versions.size();
  }

  boolean hasVersion(int version) {
    return version >= 1 && version <= versions.size();
  }

  Version version(int version) {
    return versions.get(version - 1);
  }

  StoredKey withVersion(Version v) {
    List<Version> all = new ArrayList<>(versions);
    all.add(v);
    return new StoredKey(enabled, all);
  }

  StoredKey withEnabled(boolean on) {
    return new StoredKey(on, versions);
  }

  PrimaryKeyInfo info(String name) {
    Instant created = versions.get(0).createdAt();
    Instant rotated = versions.size() > 1 ? version(newest()).createdAt() : null;
    return new PrimaryKeyInfo(name, newest(), created, rotated, enabled);
  }
}
