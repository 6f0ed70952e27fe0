package io.ppml.examples;

/** Argument check shared by the jobs' {@code main} methods. */
final class JobArgs {
  private JobArgs() {}

  /** Exits with status 2 and a usage line when fewer than {@code count} arguments were given. */
  static void require(String[] args, int count, String usage) {
    if (args.length < count) {
      System.err.println("usage: " + usage);
      System.exit(2);
    }
  }
}
