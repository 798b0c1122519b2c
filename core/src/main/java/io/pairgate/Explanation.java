package io.pairgate;

import io.pairgate.ConnectResult.Kind;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.policy.ClientAddress;
import io.pairgate.policy.Locality;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * What {@link PairingService#connect} would decide for an attempt, and why: the answer of
 * {@link PairingService#explain(ConnectAttempt)}, a dry run that changes nothing. It never holds a
 * token secret. {@link #lines()} renders it for a terminal or a log.
 *
 * @param deviceId the device id the attempt claims
 * @param outcome what connect would answer (the {@link ConnectResult#kind()} it would return)
 * @param rule the rule of {@code docs/semantics.md} that decided, e.g. {@code R4.6} (scope
 *     upgrade), {@code R11.2} (silent local approval), {@code R12.1} (flood limit)
 * @param rejection the code when the outcome is {@link Kind#REJECTED}, else null
 * @param reason why pairing is (or was, before an automatic approval) required; null when the
 *     device would be allowed without one or is rejected before the decision
 * @param requestChange what connect would do to the pending request when the outcome is
 *     {@link Kind#PAIRING_REQUIRED}, else null
 * @param requestId the pending request that would be kept, refreshed or approved; null when
 *     connect would mint a new id (or there is no request)
 * @param approvedVia when an automatic approval applies: {@code silent}, {@code standing} or
 *     {@code pairing-disabled}; else empty
 * @param requestedRole the role asked for
 * @param requestedScopes the scopes asked for, as sent
 * @param approvedRoles the device's approved roles now (empty when not paired with this key)
 * @param approvedScopes the approved baseline now (null when not paired with this key)
 * @param missingScopes requested scopes the baseline does not imply
 * @param clientAddress the resolved client address and the proxy hops used (R10.3)
 * @param locality the locality class (R10.5)
 * @param localityReason why that class
 * @param autoApproval one line per automatic-approval rule considered (R11, R13): whether and why
 *     it applied; empty when pairing was not required
 * @param pairingRequired false when the service runs with pairing switched off (R13)
 * @param checks every check made, in order
 */
public record Explanation(
    String deviceId,
    Kind outcome,
    String rule,
    @Nullable ErrorCode rejection,
    @Nullable UpgradeReason reason,
    @Nullable RequestChange requestChange,
    @Nullable RequestId requestId,
    String approvedVia,
    Role requestedRole,
    List<String> requestedScopes,
    List<Role> approvedRoles,
    @Nullable ScopeSet approvedScopes,
    List<Scope> missingScopes,
    ClientAddress clientAddress,
    Locality locality,
    String localityReason,
    List<String> autoApproval,
    boolean pairingRequired,
    List<Check> checks) {

  /** How a check came out. */
  public enum Status {
    /** The check passed. */
    PASS,
    /** The check failed; a failing check decides the outcome unless a later rule overrides it. */
    FAIL,
    /** A fact, not a pass/fail check. */
    INFO,
    /** The check does not apply to this attempt. */
    SKIP
  }

  /**
   * One check of the rule trail.
   *
   * @param rule the rule number in {@code docs/semantics.md}
   * @param name what was checked
   * @param status how it came out
   * @param detail the facts
   */
  public record Check(String rule, String name, Status status, String detail) {}

  /** Copies the lists. */
  public Explanation {
    requestedScopes = List.copyOf(requestedScopes);
    approvedRoles = List.copyOf(approvedRoles);
    missingScopes = List.copyOf(missingScopes);
    autoApproval = List.copyOf(autoApproval);
    checks = List.copyOf(checks);
  }

  /** The explanation as lines of text: a summary, then every check. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    String what = switch (outcome) {
      case ALLOWED -> approvedVia.isEmpty() ? "allowed" : "allowed after automatic approval ("
          + approvedVia + ")";
      case PAIRING_REQUIRED -> "pairing required (" + (reason == null ? "?" : reason.wireName())
          + ")";
      case REJECTED -> "rejected (" + (rejection == null ? "?" : rejection.wireName()) + ")";
    };
    out.add("device " + deviceId + ": " + what + " - decided by " + rule);
    if (!pairingRequired) {
      out.add("WARNING: pairing is switched off (pairingRequired=false): every device with a valid"
          + " proof is approved automatically");
    }
    out.add("requested: role=" + requestedRole + " scopes=" + requestedScopes);
    out.add("approved:  roles=" + approvedRoles + " scopes="
        + (approvedScopes == null ? "(not paired with this key)" : "[" + approvedScopes + "]"));
    if (!missingScopes.isEmpty()) {
      out.add("missing:   " + missingScopes);
    }
    out.add("client:    " + clientAddress.describe());
    out.add("locality:  " + locality.wireName() + " - " + localityReason);
    for (String s : autoApproval) {
      out.add("auto:      " + s);
    }
    if (requestChange != null) {
      out.add("request:   " + requestChange.name().toLowerCase(Locale.ROOT)
          + (requestId == null ? " (a new request id would be minted)" : " " + requestId));
    }
    for (Check c : checks) {
      out.add(String.format(Locale.ROOT, "  %-6s %-4s %s%s", c.rule(),
          c.status().name().toLowerCase(Locale.ROOT), c.name(),
          c.detail().isEmpty() ? "" : ": " + c.detail()));
    }
    return out;
  }

  /** {@link #lines()} joined with newlines. */
  @Override
  public String toString() {
    return String.join("\n", lines());
  }
}
