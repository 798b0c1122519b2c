package io.pairgate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What a request id stands for and what approving it would grant: the answer of
 * {@link PairingService#explainRequest(RequestId)}. Reading it changes nothing. It never holds a
 * token secret.
 *
 * @param requestId the id asked about
 * @param status where the request stands
 * @param deviceId the device it belongs to; null when the id is unknown
 * @param successorRequestId for {@link State#SUPERSEDED}, the request that replaced it (the
 *     device's live request when there is one); else null
 * @param request the request when it is still stored ({@link State#PENDING} or an
 *     {@link State#EXPIRED} request not yet replaced), else null
 * @param approvedRoles the device's approved roles now (empty when not paired, or paired with a
 *     different key)
 * @param approvedScopes the approved baseline now (null when not paired with the request's key)
 * @param missingRoles roles of the request the device cannot use now
 * @param missingScopes scopes of the request the baseline does not imply
 * @param rolesAfterApproval the approved roles if the request is approved now (empty when it
 *     cannot be)
 * @param scopesAfterApproval the baseline if it is approved now (null when it cannot be)
 * @param tokenScopesAfterApproval for each role of the request, the scopes its token would have
 * @param addedRoles roles approval would add
 * @param addedScopes scopes approval would add
 * @param approverNeeds the scopes an approver must hold (R6.2)
 * @param replacesPairedKey whether the device is paired with a different key that approval would
 *     replace (R6.4)
 */
public record RequestExplanation(
    RequestId requestId,
    State status,
    @Nullable DeviceId deviceId,
    @Nullable RequestId successorRequestId,
    @Nullable PendingRequest request,
    List<Role> approvedRoles,
    @Nullable ScopeSet approvedScopes,
    List<Role> missingRoles,
    List<Scope> missingScopes,
    List<Role> rolesAfterApproval,
    @Nullable ScopeSet scopesAfterApproval,
    Map<Role, ScopeSet> tokenScopesAfterApproval,
    List<Role> addedRoles,
    ScopeSet addedScopes,
    ScopeSet approverNeeds,
    boolean replacesPairedKey) {

  /** Where a request stands. */
  public enum State {
    /** Pending and approvable. */
    PENDING,
    /** Its time ran out; the device must connect again to ask anew. */
    EXPIRED,
    /** Approved (possibly automatically). */
    APPROVED,
    /** Rejected by an operator, or dropped by block or remove. */
    REJECTED,
    /** Replaced by a wider request; see {@link #successorRequestId()}. */
    SUPERSEDED,
    /** Never seen, or forgotten after the retention period. */
    UNKNOWN
  }

  /** Copies the collections. */
  public RequestExplanation {
    approvedRoles = List.copyOf(approvedRoles);
    missingRoles = List.copyOf(missingRoles);
    missingScopes = List.copyOf(missingScopes);
    rolesAfterApproval = List.copyOf(rolesAfterApproval);
    tokenScopesAfterApproval = Collections.unmodifiableSortedMap(new TreeMap<>(tokenScopesAfterApproval));
    addedRoles = List.copyOf(addedRoles);
  }

  /** An explanation for an id no record knows. */
  public static RequestExplanation unknown(RequestId requestId) {
    return new RequestExplanation(requestId, State.UNKNOWN, null, null, null, List.of(), null,
        List.of(), List.of(), List.of(), null, Map.of(), List.of(), ScopeSet.empty(),
        ScopeSet.empty(), false);
  }

  /** The explanation as lines of text. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    String st = status.name().toLowerCase(Locale.ROOT);
    out.add("request " + requestId + ": " + st
        + (deviceId == null ? "" : " (device " + deviceId + ")"));
    switch (status) {
      case UNKNOWN -> out.add("no device holds this id: it was never issued, was rejected and"
          + " forgotten, or is older than the retention period");
      case SUPERSEDED -> out.add("replaced by a wider request" + (successorRequestId == null
          ? "" : ": review and approve " + successorRequestId + " instead"));
      case APPROVED -> out.add("already approved; approving again changes nothing");
      case REJECTED -> out.add("rejected or dropped; the device may connect again to ask anew");
      case EXPIRED -> out.add("expired; the device must connect again to ask anew");
      case PENDING -> { }
    }
    PendingRequest r = request;
    if (r != null) {
      out.add("reason:    " + r.reason().wireName() + " - " + r.reason().requirement());
      out.add("asks for:  roles=" + r.roles() + " scopes=[" + r.scopes() + "]");
      out.add("client:    " + r.client().clientId() + " " + r.client().clientMode() + " platform="
          + r.client().platform() + " deviceFamily=" + r.client().deviceFamily() + " from "
          + (r.remoteAddress().isEmpty() ? "(unknown address)" : r.remoteAddress())
          + (r.browserOrigin().isEmpty() ? "" : " origin=" + r.browserOrigin()));
      if (r.refreshedAt().isAfter(r.createdAt())) {
        out.add("refreshed: " + r.refreshedAt() + " (created " + r.createdAt() + ")");
      }
      out.add("approved:  roles=" + approvedRoles + " scopes="
          + (approvedScopes == null ? "(not paired with this key)" : "[" + approvedScopes + "]"));
      out.add("missing:   roles=" + missingRoles + " scopes=" + missingScopes);
      if (status == State.PENDING) {
        out.add("approving grants: roles=" + rolesAfterApproval + " scopes=["
            + scopesAfterApproval + "] (adds roles=" + addedRoles + " scopes=[" + addedScopes
            + "])");
        tokenScopesAfterApproval.forEach(
            (role, scopes) -> out.add("  token " + role + ": [" + scopes + "]"));
        out.add("approver needs: [" + approverNeeds + "]");
        if (replacesPairedKey) {
          out.add("approval REPLACES the device's paired record (it is paired with another key)");
        }
      }
    }
    return out;
  }

  /** {@link #lines()} joined with newlines. */
  @Override
  public String toString() {
    return String.join("\n", lines());
  }
}
