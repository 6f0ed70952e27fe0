package io.ppml.core.config;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * Where the embedded key store and other per-user state live: an explicit directory if given, else the
 * directory named by the environment variable {@value #ENV}, else {@code ~/.ppml}.
 */
public final class PpmlHome {
  /** The environment variable that names the home directory. */
  public static final String ENV = "PPML_HOME";
  /** The directory under the user's home used when nothing else is given. */
  public static final String DEFAULT_DIR = ".ppml";

  private PpmlHome() {}

  /** Resolves the home directory from {@code explicit} (may be null), the environment and {@code user.home}. */
  public static Path resolve(Path explicit) {
    return resolve(explicit, System::getenv, Path.of(System.getProperty("user.home")));
  }

  /** As {@link #resolve(Path)}, with the environment and the user's home directory given. */
  static Path resolve(Path explicit, UnaryOperator<String> env, Path userHome) {
    if (explicit != null) {
      return explicit.toAbsolutePath().normalize();
    }
    String fromEnv = env.apply(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).toAbsolutePath().normalize();
    }
    return userHome.resolve(DEFAULT_DIR).toAbsolutePath().normalize();
  }
}
