package io.ppml.core.kms;

import java.time.Instant;

/**
 * Public facts about a primary key: its name, newest version, when it was created (version 1), when its newest
 * version was added ({@code null} if it was never rotated), and whether it may be used.
 */
public record PrimaryKeyInfo(String name, int currentVersion, Instant created, Instant rotated, boolean enabled) {}
