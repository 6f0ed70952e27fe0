package io.ppml.kbs.server;

import java.nio.file.Path;
import java.time.Clock;

/** Runs a development-mode broker in its own JVM (for kill -9 tests): prints its URL, then serves forever. */
public final class KbsChildServer {
  private KbsChildServer() {}

  public static void main(String[] args) throws Exception {
    KbsServer server = KbsServer.start(DevKbs.prepare(Path.of(args[0]), 0, Clock.systemUTC()));
    System.out.println("listening on " + server.url());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
