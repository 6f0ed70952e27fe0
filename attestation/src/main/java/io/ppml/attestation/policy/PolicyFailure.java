package io.ppml.attestation.policy;

/**
 * One rule of an {@link AttestationPolicy} that the evidence did not satisfy.
 *
 * @param rule the policy file key of the rule ({@code mrtd}, {@code rtmr2}, {@code allowDebug}, ...), or
 *     {@code reportData} for the binding the key broker passes at evaluation
 * @param expected what the rule accepts, as written in the policy (values lowercase hex)
 * @param actual what the evidence says (lowercase hex for measurements)
 */
public record PolicyFailure(String rule, String expected, String actual) {

  @Override
  public String toString() {
    return rule + ": expected " + expected + ", actual " + actual;
  }
}
