package io.ppml.core.kms;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** The rule for primary key names: 1-255 bytes of letters, digits, '.', '_', '-', starting with a letter or digit. */
public final class KeyNames {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private KeyNames() {}

  /** Returns {@code name} if valid, else throws {@link IllegalArgumentException} naming the rule. */
  public static String check(String name) {
    if (name == null || !NAME.matcher(name).matches()
        || name.getBytes(StandardCharsets.UTF_8).length > WrappedKey.MAX_NAME_BYTES) {
      throw new IllegalArgumentException("invalid key name '" + name
          + "': use 1-255 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return name;
  }

  public static boolean isValid(String name) {
    try {
      check(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
