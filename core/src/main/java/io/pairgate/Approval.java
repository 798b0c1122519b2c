package io.pairgate;

import java.util.List;

/**
 * The result of {@link PairingService#approve}.
 *
 * @param requestId the approved request
 * @param device the paired device after the approval. It holds no token secret: a token the
 *     approval granted {@linkplain DeviceToken#awaitingIssue() awaits issue}, and the device
 *     receives its secret in its next allowed connect
 * @param alreadyApproved true when the request had been approved before and nothing changed now
 * @param addedRoles roles the approval added to the baseline
 * @param addedScopes scopes the approval added to the baseline
 * @param declinedScopes scopes the request asked for that a partial approval
 *     ({@link PairingService#approve(RequestId, Approver, ScopeSet)}) left out; empty otherwise
 */
public record Approval(
    RequestId requestId,
    PairedDevice device,
    boolean alreadyApproved,
    List<Role> addedRoles,
    ScopeSet addedScopes,
    ScopeSet declinedScopes) {

  /** Copies the list. */
  public Approval {
    addedRoles = List.copyOf(addedRoles);
  }
}
