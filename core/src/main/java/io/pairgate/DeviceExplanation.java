package io.pairgate;

import io.pairgate.spi.ResolvedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Everything known about one device, for an operator: the answer of
 * {@link PairingService#explainDevice(DeviceId)}. Reading it changes nothing. It never holds a
 * token secret.
 *
 * @param deviceId the device
 * @param known whether the store holds any record of it
 * @param blocked whether it is blocked
 * @param paired the paired device without secrets, or null
 * @param effectiveRoles the roles it may connect as now (approved, with a token not revoked)
 * @param revokedRoles approved roles whose token was revoked (an approval re-issues them)
 * @param rolesWithoutToken approved roles with no token at all (an imported record)
 * @param tokensBeyondBaseline roles whose stored token grants more than the baseline (device-token
 *     connects for them fail closed until a shared-auth connect clamps the token, R7)
 * @param pending its pending request and what approving it would grant, or null
 * @param history its remembered request ids, oldest first
 */
public record DeviceExplanation(
    DeviceId deviceId,
    boolean known,
    boolean blocked,
    @Nullable PairedDeviceSummary paired,
    List<Role> effectiveRoles,
    List<Role> revokedRoles,
    List<Role> rolesWithoutToken,
    List<Role> tokensBeyondBaseline,
    @Nullable RequestExplanation pending,
    List<ResolvedRequest> history) {

  /** Copies the lists. */
  public DeviceExplanation {
    effectiveRoles = List.copyOf(effectiveRoles);
    revokedRoles = List.copyOf(revokedRoles);
    rolesWithoutToken = List.copyOf(rolesWithoutToken);
    tokensBeyondBaseline = List.copyOf(tokensBeyondBaseline);
    history = List.copyOf(history);
  }

  /** The explanation as lines of text. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    if (!known) {
      out.add("device " + deviceId + ": unknown (never paired, no request, not blocked)");
      return out;
    }
    out.add("device " + deviceId + ": " + (paired == null ? "not paired" : "paired")
        + (blocked ? ", BLOCKED (every connect is rejected; unblock to let it ask again)" : ""));
    PairedDeviceSummary p = paired;
    if (p != null) {
      out.add("approved:  roles=" + p.roles() + " scopes=[" + p.approvedScopes() + "] via "
          + p.approvedVia() + " at " + p.approvedAt()
          + (p.label().isEmpty() ? "" : " label=" + p.label()));
      out.add("seen:      address=" + (p.remoteAddress().isEmpty() ? "-" : p.remoteAddress())
          + (p.browserOrigin().isEmpty() ? "" : " origin=" + p.browserOrigin()) + " lastSeen="
          + (p.lastSeenAt() == null ? "never" : p.lastSeenAt() + (p.lastSeenReason().isEmpty()
              ? "" : " (" + p.lastSeenReason() + ")")));
      out.add("pinned:    platform=" + p.client().platform() + " deviceFamily="
          + p.client().deviceFamily());
      out.add("effective: " + effectiveRoles);
      if (!revokedRoles.isEmpty()) {
        out.add("revoked:   " + revokedRoles
            + " (connects for these roles need an operator's approval)");
      }
      if (!rolesWithoutToken.isEmpty()) {
        out.add("no token:  " + rolesWithoutToken);
      }
      if (!tokensBeyondBaseline.isEmpty()) {
        out.add("tokens wider than the baseline (fail closed): " + tokensBeyondBaseline);
      }
    }
    RequestExplanation r = pending;
    if (r != null) {
      for (String line : r.lines()) {
        out.add("pending " + line);
      }
    }
    for (ResolvedRequest h : history) {
      out.add("history:   " + h.requestId() + " " + h.outcome().name().toLowerCase(Locale.ROOT)
          + (h.successorRequestId() == null ? "" : " -> " + h.successorRequestId()) + " at "
          + h.resolvedAt());
    }
    return out;
  }

  /** {@link #lines()} joined with newlines. */
  @Override
  public String toString() {
    return String.join("\n", lines());
  }
}
