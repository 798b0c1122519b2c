package io.pairgate.internal;

import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.DeviceToken;
import io.pairgate.DevicePublicKey;
import io.pairgate.ErrorCode;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.TokenCheck;
import io.pairgate.UpgradeReason;
import io.pairgate.internal.Approvals.ApprovedDevice;
import io.pairgate.internal.AutoApprovals.AutoAssessment;
import io.pairgate.internal.AutoApprovals.AutoGrant;
import io.pairgate.internal.ConnectDecision.Allow;
import io.pairgate.internal.ConnectDecision.PairingPath;
import io.pairgate.internal.ConnectDecision.Reject;
import io.pairgate.internal.ConnectDecision.RequirePairing;
import io.pairgate.internal.FloodLimits.FloodCount;
import io.pairgate.internal.TokenRules.TokenPlan;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Owns the connect decision (R4, R5, with R11–R13 folded in): one function of the settings, the
 * device's record snapshot, the checked attempt and the time, returning a {@link ConnectDecision}.
 * It writes, mints, touches and logs nothing; the one outside fact it may read, the pending-request
 * counts of the flood limit, comes through a supplier that the caller may memoize.
 */
final class ConnectRules {
  private final EngineSettings settings;
  private final ScopePolicy policy;
  private final TokenRules tokens;
  private final Approvals approvals;
  private final AutoApprovals auto;
  private final FloodLimits flood;

  ConnectRules(EngineSettings settings, TokenRules tokens, Approvals approvals,
      AutoApprovals auto, FloodLimits flood) {
    this.settings = settings;
    this.policy = settings.policy();
    this.tokens = tokens;
    this.approvals = approvals;
    this.auto = auto;
    this.flood = flood;
  }

  /** The first of R4.3–R4.6 that holds, or none; and the metadata pin comparison (R4.7). */
  record UpgradeGap(@Nullable UpgradeReason reason, MetadataPins.Verdict pin) {}

  /** The decision for {@code at} on {@code rec} at {@code now}. */
  ConnectDecision decide(DeviceRecord rec, GateResult.Passed at, AttemptFacts facts, Instant now,
      Supplier<FloodCount> counts) {
    PairedDevice paired = rec.paired();
    boolean keyMatches = paired != null && paired.publicKey().equals(at.key());
    Role role = at.role();
    ScopeSet requested = at.requested();
    if (rec.blocked()) {
      return new Reject("R4.1", ErrorCode.BLOCKED, "device is blocked",
          "an operator blocked this device; unblock it to let it connect or ask again", null);
    }
    if (at.attempt().auth() == AuthMethod.DEVICE_TOKEN) {
      TokenCheck check = keyMatches
          ? tokens.check(paired, role, at.attempt().token(), requested) : TokenCheck.NOT_PAIRED;
      if (!check.ok()) {
        return new Reject("R4.2", check.errorCode(), "device token: " + check.name(),
            check.name() + " -> " + check.errorCode().wireName(), null);
      }
    }
    ClientInfo client = at.attempt().client();
    UpgradeGap gap = gap(keyMatches ? paired : null, role, requested, client);
    UpgradeReason reason = gap.reason();
    if (reason == null) {
      TokenPlan plan = tokens.plan(paired, role, requested, client, gap.pin(), now);
      return new Allow("R4.8", role, requested, plan, plan.issued(), gap.pin(), null, null, null);
    }
    RequestPlan request = reconcile(rec, paired, at, facts, reason, now);
    AutoAssessment assessed = auto.assess(paired, keyMatches, request.next(), reason, facts);
    PairingPath path = new PairingPath(reason, gap.pin(), request, assessed.notes(), null);
    AutoGrant grant = assessed.grant();
    boolean fellShort = false;
    if (grant != null) {
      ApprovedDevice ap = approvals.approve(
          rec.deviceId(), paired, request.next(), grant.via(), now);
      UpgradeGap after = gap(ap.device(), role, requested, client);
      if (after.reason() == null) {
        TokenPlan plan = tokens.plan(ap.device(), role, requested, client, after.pin(), now);
        DeviceToken before = keyMatches ? paired.token(role) : null;
        boolean issued = plan.mint() || !plan.token().equals(before);
        return new Allow(grant.rule(), role, requested, plan, issued, gap.pin(), path, grant, ap);
      }
      fellShort = true;
    }
    if (request.change() == RequestChange.CREATED) {
      FloodCount c = counts.get();
      path = new PairingPath(reason, gap.pin(), request, assessed.notes(), c);
      String over = flood.refusal(c, facts);
      if (over != null) {
        return new Reject("R12.1", ErrorCode.TOO_MANY_PENDING, over, over, path);
      }
    }
    return new RequirePairing(ruleOf(reason), path, fellShort);
  }

  /** R4.3–R4.6 for a device paired with this key ({@code paired}), or not ({@code null}). */
  UpgradeGap gap(@Nullable PairedDevice paired, Role role, ScopeSet requested, ClientInfo client) {
    if (paired == null) {
      return new UpgradeGap(UpgradeReason.NOT_PAIRED, MetadataPins.Verdict.MATCH);
    }
    MetadataPins.Verdict pin =
        MetadataPins.compare(paired.client(), paired.legacyMetadata(), client);
    if (pin == MetadataPins.Verdict.MISMATCH) {
      return new UpgradeGap(UpgradeReason.METADATA_UPGRADE, pin);
    }
    if (!paired.effectiveRoles().contains(role)) {
      return new UpgradeGap(UpgradeReason.ROLE_UPGRADE, pin);
    }
    if (!policy.allows(role, requested, paired.approvedScopes())) {
      return new UpgradeGap(UpgradeReason.SCOPE_UPGRADE, pin);
    }
    return new UpgradeGap(null, pin);
  }

  static String ruleOf(UpgradeReason reason) {
    return switch (reason) {
      case NOT_PAIRED -> "R4.3";
      case METADATA_UPGRADE -> "R4.4";
      case ROLE_UPGRADE -> "R4.5";
      case SCOPE_UPGRADE -> "R4.6";
    };
  }

  /** R5: the pending request after this connect. */
  private RequestPlan reconcile(DeviceRecord rec, @Nullable PairedDevice paired,
      GateResult.Passed at, AttemptFacts facts, UpgradeReason reason, Instant now) {
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    PendingRequest p = rec.pending();
    PendingRequest expired = null;
    if (p != null && p.isExpired(now)) {
      resolved.add(new ResolvedRequest(p.requestId(), Resolution.EXPIRED, null, now));
      expired = p;
      p = null;
    }
    Role role = at.role();
    ScopeSet requested = at.requested();
    ClientInfo client = at.attempt().client();
    if (p != null && covers(p, at.key(), role, requested, client)) {
      if (now.isBefore(p.refreshedAt().plus(settings.refreshInterval()))) {
        return new RequestPlan(p, RequestChange.UNCHANGED, resolved, null, null);
      }
      PendingRequest next = p.refreshed(now, now.plus(settings.pendingTtl()));
      return new RequestPlan(next, RequestChange.REFRESHED, resolved, null, null);
    }
    List<Role> roles = new ArrayList<>();
    roles.add(role);
    ScopeSet scopes = requested;
    boolean repair = paired != null;
    RequestChange change = RequestChange.CREATED;
    if (p != null) {
      roles.addAll(p.roles());
      scopes = p.scopes().union(requested);
      repair |= p.repair();
      change = RequestChange.SUPERSEDED;
    }
    PendingRequest next = new PendingRequest(
        RequestPlan.UNMINTED, rec.deviceId(), at.key(), role, roles, scopes, client, facts.address().address(),
        now, now, now.plus(settings.pendingTtl()), repair, reason, at.attempt().browserOrigin());
    return new RequestPlan(next, change, resolved, expired, p);
  }

  /** Whether pending request {@code p} already asks for everything this connect asks for. */
  private boolean covers(
      PendingRequest p, DevicePublicKey key, Role role, ScopeSet requested, ClientInfo client) {
    return p.publicKey().equals(key)
        && p.roles().contains(role)
        && policy.allows(role, requested, p.scopes())
        && p.client().normalizedPlatform().equals(client.normalizedPlatform())
        && p.client().normalizedDeviceFamily().equals(client.normalizedDeviceFamily());
  }
}
