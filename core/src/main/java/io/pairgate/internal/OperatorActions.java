package io.pairgate.internal;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.ForbiddenException;
import io.pairgate.IssuedToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.TokenSecret;
import io.pairgate.TokenSummary;
import io.pairgate.audit.AuditEvent;
import io.pairgate.internal.Approvals.ApprovedDevice;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Owns the operator's actions (R6, R8): approve (whole or partial), reject, remove, block,
 * unblock, rotate, revoke and rename. Each is a step from one record snapshot to the next record,
 * a result and its audit events, run by the {@link Transactor}.
 */
final class OperatorActions {
  private final EngineSettings settings;
  private final Clock clock;
  private final ScopePolicy policy;
  private final Transactor tx;
  private final Approvals approvals;
  private final RequestHistory history;

  OperatorActions(EngineSettings settings, Transactor tx, Approvals approvals,
      RequestHistory history) {
    this.settings = settings;
    this.clock = settings.clock();
    this.policy = settings.policy();
    this.tx = tx;
    this.approvals = approvals;
    this.history = history;
  }

  Approval approve(RequestId requestId, Approver approver, @Nullable ScopeSet only) {
    return tx.onRequest(requestId, rec -> approveStep(rec, requestId, approver, only));
  }

  private WriteStep<Approval> approveStep(
      DeviceRecord rec, RequestId requestId, Approver approver, @Nullable ScopeSet only) {
    Instant now = clock.instant();
    PendingRequest p = rec.pending();
    if (p == null || !p.requestId().equals(requestId)) {
      ResolvedRequest r = RequestHistory.entry(rec, requestId);
      if (r.outcome() == Resolution.APPROVED && rec.paired() != null) {
        return WriteStep.done(new Approval(
            requestId, rec.paired(), true, List.of(), ScopeSet.empty(), ScopeSet.empty()));
      }
      throw RequestHistory.afterResolution(rec, r, true);
    }
    if (p.isExpired(now)) {
      throw new PairgateException(ErrorCode.EXPIRED, "request " + requestId + " expired at "
          + p.expiresAt() + "; the device must connect again to ask anew");
    }
    ScopeSet declined = ScopeSet.empty();
    if (only != null) {
      declined = p.scopes().minus(only);
      p = approvals.narrow(p, only);
    }
    List<Scope> missing = approvals.approverMissing(p, approver.scopes());
    if (!missing.isEmpty()) {
      throw new ForbiddenException(requestId, missing);
    }
    ApprovedDevice ap = approvals.approve(rec.deviceId(), rec.paired(), p, "operator", now);
    return WriteStep.write(
        new DeviceRecord(rec.deviceId(), rec.version() + 1, ap.device(), null, rec.blocked(),
            history.plus(rec.resolved(), requestId, Resolution.APPROVED, now)),
        new Approval(
            requestId, ap.device(), false, ap.addedRoles(), ap.addedScopes(), declined),
        List.of(Approvals.approvedEvent(
            rec.deviceId().value(), p, approver.name(), "operator", ap, now)));
  }

  PendingRequest reject(RequestId requestId) {
    return tx.onRequest(requestId, rec -> {
      Instant now = clock.instant();
      PendingRequest p = rec.pending();
      if (p == null || !p.requestId().equals(requestId)) {
        throw RequestHistory.afterResolution(rec, RequestHistory.entry(rec, requestId), false);
      }
      if (p.isExpired(now)) {
        throw new PairgateException(ErrorCode.EXPIRED, "request " + requestId + " expired at "
            + p.expiresAt() + "; there is nothing left to reject");
      }
      return WriteStep.write(
          new DeviceRecord(rec.deviceId(), rec.version() + 1, rec.paired(), null, rec.blocked(),
              history.plus(rec.resolved(), requestId, Resolution.REJECTED, now)),
          p,
          List.of(new AuditEvent.RequestRejected(now, rec.deviceId().value(), requestId)));
    });
  }

  PairedDeviceSummary remove(DeviceId deviceId) {
    return tx.onDevice(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      Instant now = clock.instant();
      return WriteStep.write(
          new DeviceRecord(deviceId, rec.version() + 1, null, null, rec.blocked(),
              history.dropPending(rec, now)),
          paired.summary(),
          List.of(new AuditEvent.DeviceRemoved(
              now, deviceId.value(), paired.roles(), pendingId(rec))));
    });
  }

  void block(DeviceId deviceId) {
    tx.onDevice(deviceId, rec -> {
      if (rec.blocked() && rec.pending() == null) {
        return WriteStep.done(Boolean.FALSE);
      }
      Instant now = clock.instant();
      List<AuditEvent> events = rec.blocked()
          ? List.of()
          : List.of(new AuditEvent.DeviceBlocked(now, deviceId.value(), pendingId(rec)));
      return WriteStep.write(
          new DeviceRecord(deviceId, rec.version() + 1, rec.paired(), null, true,
              history.dropPending(rec, now)),
          Boolean.TRUE, events);
    });
  }

  void unblock(DeviceId deviceId) {
    tx.onDevice(deviceId, rec -> {
      if (!rec.blocked()) {
        return WriteStep.done(Boolean.FALSE);
      }
      return WriteStep.write(
          new DeviceRecord(deviceId, rec.version() + 1, rec.paired(), rec.pending(), false,
              rec.resolved()),
          Boolean.TRUE,
          List.of(new AuditEvent.DeviceUnblocked(clock.instant(), deviceId.value())));
    });
  }

  IssuedToken rotate(DeviceId deviceId, Role role, Optional<ScopeSet> scopes) {
    return tx.onDevice(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      if (!paired.roles().contains(role)) {
        throw new PairgateException(ErrorCode.UNKNOWN_ROLE,
            "role " + role + " is not approved for device " + deviceId);
      }
      DeviceToken old = paired.token(role);
      ScopeSet target = scopes.orElseGet(() -> old != null
          ? old.scopes() : policy.admissibleFor(role, paired.approvedScopes()));
      for (Scope s : target) {
        if (!policy.admissible(role, s)) {
          throw new PairgateException(ErrorCode.INVALID_SCOPE,
              "scope " + s + " can never be held by role " + role);
        }
      }
      List<Scope> outside = policy.missing(role, target, paired.approvedScopes());
      if (!outside.isEmpty()) {
        throw new PairgateException(ErrorCode.SCOPE_OUTSIDE_BASELINE,
            "scopes " + ScopeSet.of(outside) + " are outside the approved baseline "
                + paired.approvedScopes() + " of device " + deviceId);
      }
      Instant now = clock.instant();
      TokenSecret secret = TokenSecret.of(Ids.tokenSecret(settings.random()));
      DeviceToken token = new DeviceToken(role, target, secret.hash(),
          old == null ? now : old.createdAt(), now, null, old == null ? null : old.lastUsedAt());
      return WriteStep.write(withToken(rec, paired, token),
          new IssuedToken(deviceId, token, secret),
          List.of(new AuditEvent.TokenRotated(now, deviceId.value(), role, target)));
    });
  }

  TokenSummary revoke(DeviceId deviceId, Role role) {
    return tx.onDevice(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      DeviceToken t = paired.token(role);
      if (t == null) {
        throw new PairgateException(ErrorCode.UNKNOWN_ROLE,
            "device " + deviceId + " has no token for role " + role);
      }
      if (t.isRevoked()) {
        return WriteStep.done(t.summary());
      }
      Instant now = clock.instant();
      DeviceToken revoked = new DeviceToken(role, t.scopes(), t.hash(), t.createdAt(),
          t.rotatedAt(), now, t.lastUsedAt());
      return WriteStep.write(withToken(rec, paired, revoked), revoked.summary(),
          List.of(new AuditEvent.TokenRevoked(now, deviceId.value(), role)));
    });
  }

  PairedDeviceSummary rename(DeviceId deviceId, String label) {
    return tx.onDevice(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      if (paired.label().equals(label)) {
        return WriteStep.done(paired.summary());
      }
      PairedDevice next = paired.withLabel(label);
      return WriteStep.write(
          new DeviceRecord(deviceId, rec.version() + 1, next, rec.pending(), rec.blocked(),
              rec.resolved()),
          next.summary(),
          List.of(new AuditEvent.DeviceRenamed(clock.instant(), deviceId.value(), label)));
    });
  }

  private static DeviceRecord withToken(DeviceRecord rec, PairedDevice paired, DeviceToken t) {
    Map<Role, DeviceToken> tokens = new HashMap<>(paired.tokens());
    tokens.put(t.role(), t);
    return new DeviceRecord(rec.deviceId(), rec.version() + 1, paired.withTokens(tokens),
        rec.pending(), rec.blocked(), rec.resolved());
  }

  private static PairedDevice requirePaired(DeviceRecord rec) {
    PairedDevice paired = rec.paired();
    if (paired == null) {
      throw new PairgateException(ErrorCode.UNKNOWN_DEVICE,
          "no paired device " + rec.deviceId());
    }
    return paired;
  }

  private static @Nullable RequestId pendingId(DeviceRecord rec) {
    PendingRequest p = rec.pending();
    return p == null ? null : p.requestId();
  }
}
