package io.pairgate;

import java.time.Instant;
import java.util.List;
import java.util.TreeSet;

/**
 * A device's open request for approval. A device has at most one. A later connect whose profile
 * the request already covers keeps the same {@link #requestId()} (and only refreshes it); a wider
 * one replaces it with a new id holding the union of roles and scopes.
 *
 * @param requestId a random UUID; stable while the request does not widen
 * @param deviceId the requesting device
 * @param publicKey the key that signed the request
 * @param role the role of the connect that last created or refreshed the request
 * @param roles every role the request asks for (sorted)
 * @param scopes every scope the request asks for
 * @param client what the client said about itself; its platform and device family become pinned
 *     on approval
 * @param remoteAddress the resolved client address, or empty when unknown
 * @param createdAt when this request id was minted
 * @param refreshedAt when a covered connect last refreshed it
 * @param expiresAt after this instant it can no longer be approved
 * @param repair whether the device already had a paired record when the request was made
 * @param reason why approval is needed
 * @param browserOrigin the browser {@code Origin} header of the connect that created the request,
 *     or empty when the client sent none (not authenticated; shown to operators)
 */
public record PendingRequest(
    RequestId requestId,
    DeviceId deviceId,
    DevicePublicKey publicKey,
    Role role,
    List<Role> roles,
    ScopeSet scopes,
    ClientInfo client,
    String remoteAddress,
    Instant createdAt,
    Instant refreshedAt,
    Instant expiresAt,
    boolean repair,
    UpgradeReason reason,
    String browserOrigin) {

  /** Sorts and deduplicates {@code roles}. */
  public PendingRequest {
    roles = List.copyOf(new TreeSet<>(roles));
  }

  /** A request without a browser origin (the constructor before that field was added). */
  public PendingRequest(
      RequestId requestId, DeviceId deviceId, DevicePublicKey publicKey, Role role, List<Role> roles,
      ScopeSet scopes, ClientInfo client, String remoteAddress, Instant createdAt,
      Instant refreshedAt, Instant expiresAt, boolean repair, UpgradeReason reason) {
    this(requestId, deviceId, publicKey, role, roles, scopes, client, remoteAddress, createdAt,
        refreshedAt, expiresAt, repair, reason, "");
  }

  /** A copy refreshed at {@code at}, expiring at {@code expires}; the id and all else kept. */
  public PendingRequest refreshed(Instant at, Instant expires) {
    return new PendingRequest(requestId, deviceId, publicKey, role, roles, scopes, client,
        remoteAddress, createdAt, at, expires, repair, reason, browserOrigin);
  }

  /**
   * The partial-approval rule: the members of {@code subset} that are not part of this request
   * under {@code policy}, in sorted order. A scope is part of the request when one of its roles
   * can hold it and the requested scopes imply it for that role
   * ({@link ScopePolicy#impliesForAnyRole}). A partial approval
   * ({@link PairingService#approve(String, Approver, ScopeSet)}) may narrow a request only to a
   * subset for which this is empty.
   */
  public ScopeSet scopesOutside(ScopePolicy policy, ScopeSet subset) {
    return subset.filter(s -> !policy.impliesForAnyRole(roles, s, scopes));
  }

  /** A copy asking for {@code narrowed} scopes only; everything else kept. */
  public PendingRequest withScopes(ScopeSet narrowed) {
    return new PendingRequest(requestId, deviceId, publicKey, role, roles, narrowed, client,
        remoteAddress, createdAt, refreshedAt, expiresAt, repair, reason, browserOrigin);
  }

  /** Whether the request can no longer be approved at {@code now}. */
  public boolean isExpired(Instant now) {
    return !now.isBefore(expiresAt);
  }
}
