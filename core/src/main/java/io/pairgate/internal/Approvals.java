package io.pairgate.internal;

import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.audit.AuditEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Owns what an approval does (R6): the paired device after approving a request (R6.3, R6.4), what
 * an approver must hold (R6.2) and how a partial approval may narrow a request. Pure; used by the
 * operator's approve, by automatic approval and by explainRequest alike.
 */
final class Approvals {
  private final ScopePolicy policy;

  Approvals(ScopePolicy policy) {
    this.policy = policy;
  }

  /** A paired device after an approval (R6.3), and what the approval added. */
  record ApprovedDevice(PairedDevice device, List<Role> addedRoles, ScopeSet addedScopes) {}

  /** The device after approving {@code p} on top of {@code current} (R6.3, R6.4). */
  ApprovedDevice approve(
      DeviceId deviceId, @Nullable PairedDevice current, PendingRequest p, String via,
      Instant now) {
    PairedDevice old = current;
    if (old != null && !old.publicKey().equals(p.publicKey())) {
      old = null; // a different key is a new identity: start from nothing (R6.4)
    }
    TreeSet<Role> roles = new TreeSet<>(p.roles());
    ScopeSet baseline = p.scopes();
    Map<Role, DeviceToken> tokens = new HashMap<>();
    List<Role> addedRoles = new ArrayList<>(p.roles());
    ScopeSet addedScopes = p.scopes();
    if (old != null) {
      roles.addAll(old.roles());
      baseline = old.approvedScopes().union(p.scopes());
      tokens.putAll(old.tokens());
      addedRoles.removeAll(old.roles());
      addedScopes = p.scopes().minus(old.approvedScopes());
    }
    ScopeSet fullBaseline = baseline;
    for (Role r : p.roles()) {
      ScopeSet forRole = policy.admissibleFor(r, p.scopes());
      DeviceToken t = tokens.get(r);
      if (t != null && !t.isRevoked()) {
        ScopeSet grown = t.scopes().union(forRole);
        if (!grown.equals(t.scopes())) {
          tokens.put(r, new DeviceToken(r, grown, t.hash(), t.createdAt(), now, null,
              t.lastUsedAt()));
        }
      } else {
        // A revoked token's scopes still count (R6.3): re-approving a revoked role issues what the
        // role held before plus what the request asks for, within the baseline.
        ScopeSet scopes = t == null ? forRole
            : t.scopes().filter(s -> policy.implies(r, s, fullBaseline)).union(forRole);
        // no secret yet: the device's next allowed connect for the role mints and receives it
        tokens.put(r, new DeviceToken(r, scopes, null, t == null ? now : t.createdAt(),
            t == null ? null : now, null, t == null ? null : t.lastUsedAt()));
      }
    }
    PairedDevice device = new PairedDevice(
        deviceId, p.publicKey(), new ArrayList<>(roles), baseline, p.client(),
        old == null ? "" : old.label(), tokens, old == null ? now : old.createdAt(), now,
        old == null ? null : old.lastSeenAt(), via, p.remoteAddress(), p.browserOrigin(),
        old == null ? "" : old.lastSeenReason());
    return new ApprovedDevice(device, addedRoles, addedScopes);
  }

  /**
   * {@code p} narrowed to {@code only} for a partial approval; every scope must be one the
   * request asks for or implies for one of its roles.
   */
  PendingRequest narrow(PendingRequest p, ScopeSet only) {
    ScopeSet outside = p.scopesOutside(policy, only);
    if (!outside.isEmpty()) {
      throw new InvalidArgumentException("a partial approval may only"
          + " narrow the request: " + String.join(",", outside.names()) + " is not part of request "
          + p.requestId() + " (it asks for " + p.scopes() + ")");
    }
    return p.withScopes(only);
  }

  /** The scopes an approver holding {@code held} lacks to approve {@code p} (R6.2). */
  List<Scope> approverMissing(PendingRequest p, ScopeSet held) {
    List<Scope> missing = new ArrayList<>();
    for (Role r : p.roles()) {
      if (!r.equals(Role.OPERATOR) && !policy.implies(Role.OPERATOR, Scope.OPERATOR_ADMIN, held)) {
        missing.add(Scope.OPERATOR_ADMIN);
        break;
      }
    }
    for (Scope s : policy.missing(
        Role.OPERATOR, policy.admissibleFor(Role.OPERATOR, p.scopes()), held)) {
      if (!missing.contains(s)) {
        missing.add(s);
      }
    }
    return missing;
  }

  /** The scopes an approval of {@code p} needs from its approver (R6.2), for explainRequest. */
  ScopeSet approverNeeds(PendingRequest p) {
    ScopeSet needs = policy.admissibleFor(Role.OPERATOR, p.scopes());
    for (Role r : p.roles()) {
      if (!r.equals(Role.OPERATOR)) {
        needs = needs.union(ScopeSet.of(List.of(Scope.OPERATOR_ADMIN)));
      }
    }
    return needs;
  }

  /** The audit event of approving {@code p}. */
  static AuditEvent approvedEvent(
      String id, PendingRequest p, String approver, String via, ApprovedDevice ap, Instant now) {
    return new AuditEvent.RequestApproved(now, id, p.requestId(), approver, via,
        ap.device().roles(), ap.device().approvedScopes(), ap.addedRoles(), ap.addedScopes(),
        p.remoteAddress());
  }
}
