package io.ppml.attestation.policy;

import java.util.List;

/**
 * The outcome of {@link AttestationPolicy#evaluate}: every failed rule, in the order the rules are
 * documented; accepted when there is none.
 */
public record PolicyResult(List<PolicyFailure> failures) {

  public PolicyResult {
    failures = List.copyOf(failures);
  }

  public boolean accepted() {
    return failures.isEmpty();
  }

  /** The failed rules' names, for log lines and error messages (no values). */
  public List<String> failedRules() {
    return failures.stream().map(PolicyFailure::rule).toList();
  }
}
