package io.pairgate.internal;

import io.pairgate.ErrorCode;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.internal.Approvals.ApprovedDevice;
import io.pairgate.internal.AutoApprovals.AutoGrant;
import io.pairgate.internal.AutoApprovals.AutoNote;
import io.pairgate.internal.FloodLimits.FloodCount;
import io.pairgate.internal.TokenRules.TokenPlan;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ConnectRules#decide} decided for one attempt on one snapshot of the device's record:
 * a value, with nothing applied yet. {@code connect} applies it ({@link Transactor}); {@code
 * explain} renders it ({@link Explainer}). {@link #rule()} is the rule of docs/semantics.md that
 * decided.
 */
sealed interface ConnectDecision {

  /** The deciding rule. */
  String rule();

  /**
   * The device is allowed (R4.8), maybe after an automatic approval (R11, R13).
   *
   * @param tokens the role's token and the paired device after the connect (the token change)
   * @param issued whether the connect issues a new or changed token
   * @param pin the metadata pin comparison (R4.7) of the record before the connect
   * @param pairing the pairing path that an automatic approval resolved, or null
   * @param grant the automatic approval, or null
   * @param approved the device after that approval, or null
   */
  record Allow(
      String rule,
      Role role,
      ScopeSet requested,
      TokenPlan tokens,
      boolean issued,
      MetadataPins.Verdict pin,
      @Nullable PairingPath pairing,
      @Nullable AutoGrant grant,
      @Nullable ApprovedDevice approved)
      implements ConnectDecision {}

  /**
   * The device must be paired or upgraded first (R4.3–R4.6, R5).
   *
   * @param grantFellShort an automatic approval applied but would not have allowed the connect,
   *     so the request is left pending (logged when applied)
   */
  record RequirePairing(String rule, PairingPath pairing, boolean grantFellShort)
      implements ConnectDecision {}

  /**
   * The attempt is refused (R4.1 blocked, R4.2 device token, R12.1 flood limit).
   *
   * @param message the rejection's message
   * @param detail the explain line of the failing check
   * @param pairing the pairing path when a flood limit refused a new request, else null
   */
  record Reject(
      String rule, ErrorCode code, String message, String detail, @Nullable PairingPath pairing)
      implements ConnectDecision {}

  /**
   * What the pairing path found: why pairing is needed, the request plan, the automatic approvals
   * considered, and the flood counts when a new request was judged.
   */
  record PairingPath(
      UpgradeReason reason,
      MetadataPins.Verdict pin,
      RequestPlan plan,
      List<AutoNote> notes,
      @Nullable FloodCount flood) {

    public PairingPath {
      notes = List.copyOf(notes);
    }
  }
}
