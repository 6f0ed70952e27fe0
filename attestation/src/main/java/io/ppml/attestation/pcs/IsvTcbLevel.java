package io.ppml.attestation.pcs;

import io.ppml.attestation.AttestationException;
import io.ppml.attestation.TcbStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCB level keyed by one ISV SVN: the levels of a QE identity and of a TDX module identity.
 *
 * @param isvSvn the minimum SVN this level applies to
 * @param tcbDate Intel's date of the level
 * @param status the level's status
 * @param advisoryIds Intel security advisories that apply (empty if none)
 */
public record IsvTcbLevel(int isvSvn, Instant tcbDate, TcbStatus status, List<String> advisoryIds) {

  public IsvTcbLevel {
    advisoryIds = List.copyOf(advisoryIds);
  }

  static List<IsvTcbLevel> listOf(JsonFields parent) throws AttestationException {
    List<IsvTcbLevel> out = new ArrayList<>();
    for (JsonFields level : parent.objects("tcbLevels")) {
      out.add(new IsvTcbLevel(level.object("tcb").integer("isvsvn"), level.instant("tcbDate"),
          level.status("tcbStatus"), level.strings("advisoryIDs")));
    }
    return List.copyOf(out);
  }
}
