package io.ppml.kbs.server;

import java.util.List;

/** A request failed with one {@link KbsError}; the detail is safe to return to the client. */
final class KbsApiException extends Exception {
  private static final long serialVersionUID = 1L;
  private final KbsError error;
  private final transient List<String> failedRules;

  KbsApiException(KbsError error, String detail) {
    this(error, detail, List.of());
  }

  KbsApiException(KbsError error, String detail, List<String> failedRules) {
    super(detail, null, false, false);
    this.error = error;
    this.failedRules = List.copyOf(failedRules);
  }

  KbsError error() {
    return error;
  }

  /** Names of the policy rules that failed (never their values); empty unless the error is a denial. */
  List<String> failedRules() {
    return failedRules;
  }
}
