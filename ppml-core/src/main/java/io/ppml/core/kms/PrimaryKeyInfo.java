package io.ppml.core.kms;

import java.time.Instant;

/** Public facts about a primary key: its name, newest version, creation time of that version and state. */
public record PrimaryKeyInfo(String name, int currentVersion, Instant created, Instant rotated, boolean enabled) {}
