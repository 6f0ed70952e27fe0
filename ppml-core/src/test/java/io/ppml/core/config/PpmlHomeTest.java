package io.ppml.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PpmlHomeTest {
  private static final Path USER_HOME = Path.of("/home/someone");

  @Test
  void anExplicitDirectoryWins() {
    assertEquals(Path.of("/data/ppml"),
        PpmlHome.resolve(Path.of("/data/ppml"), Map.of("PPML_HOME", "/env/ppml")::get, USER_HOME));
  }

  @Test
  void theEnvironmentComesNext() {
    assertEquals(Path.of("/env/ppml"), PpmlHome.resolve(null, Map.of("PPML_HOME", "/env/ppml")::get, USER_HOME));
  }

  @Test
  void otherwiseADirectoryInTheUsersHome() {
    assertEquals(Path.of("/home/someone/.ppml"), PpmlHome.resolve(null, Map.<String, String>of()::get, USER_HOME));
    assertEquals(Path.of("/home/someone/.ppml"), PpmlHome.resolve(null, Map.of("PPML_HOME", " ")::get, USER_HOME));
  }

  @Test
  void relativePathsAreMadeAbsolute() {
    assertEquals(Path.of("rel").toAbsolutePath(), PpmlHome.resolve(Path.of("rel"), k -> null, USER_HOME));
  }
}
