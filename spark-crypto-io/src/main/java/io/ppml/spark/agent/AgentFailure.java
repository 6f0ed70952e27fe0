package io.ppml.spark.agent;

/**
 * A step of JVM attestation that failed. The agent prints {@code ppml-agent: <step> failed: <message>} and exits
 * with the step's code, which the driver translates back (see the plugin) and docs/attested-spark.md lists.
 */
public final class AgentFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /** The steps, in order, with the exit code of a JVM that stops at that step. */
  public enum Step {
    CONFIGURATION(70, "configuration", "the agent's PPML_* settings are missing or invalid"),
    EVIDENCE(71, "evidence", "no TDX quote could be produced"),
    KEY_BROKER(72, "key broker", "the key broker was unreachable or not trusted"),
    ATTESTATION(73, "attestation", "the key broker's policy denied the attestation"),
    CERTIFICATE(74, "certificate", "the key broker issued no TLS certificate"),
    SECRET(75, "secret", "the key broker released no spark.authenticate secret");

    private final int exitCode;
    private final String label;
    private final String meaning;

    Step(int exitCode, String label, String meaning) {
      this.exitCode = exitCode;
      this.label = label;
      this.meaning = meaning;
    }

    public int exitCode() {
      return exitCode;
    }

    public String label() {
      return label;
    }

    /** What a JVM that exited with this step's code went through, for messages on the driver. */
    public String meaning() {
      return meaning;
    }

    /** The step whose exit code is {@code code}, or null. */
    public static Step ofExitCode(int code) {
      for (Step s : values()) {
        if (s.exitCode == code) {
          return s;
        }
      }
      return null;
    }
  }

  private final Step step;

  public AgentFailure(Step step, String message, Throwable cause) {
    super(message, cause);
    this.step = step;
  }

  public Step step() {
    return step;
  }

  /** The one line the agent prints. */
  public String line() {
    return "ppml-agent: " + step.label() + " failed: " + getMessage();
  }
}
