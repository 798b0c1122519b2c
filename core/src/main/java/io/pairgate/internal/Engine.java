package io.pairgate.internal;

import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.ConnectResult.Allowed;
import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.Rejected;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.ForbiddenException;
import io.pairgate.PairedDevice;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.StoreException;
import io.pairgate.SupersededException;
import io.pairgate.TokenCheck;
import io.pairgate.TokenSummary;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.RandomSource;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link PairingService} implementation. Rules are numbered as in docs/semantics.md. */
public final class Engine implements PairingService {
  private static final Logger LOG = LoggerFactory.getLogger(PairingService.class);

  /** Validated builder options. */
  public record Config(
      PairingStore store,
      Clock clock,
      ScopePolicy policy,
      RandomSource random,
      Duration pendingTtl,
      Duration signatureSkew,
      Duration challengeTtl,
      Duration resolvedRetention,
      int maxResolvedPerDevice,
      Duration touchInterval,
      int maxConflictRetries) {}

  private final Config cfg;
  private final PairingStore store;
  private final Clock clock;
  private final ScopePolicy policy;
  private final ProofVerifier proofs;
  private final Duration refreshInterval;

  /** Creates the engine from validated options. */
  public Engine(Config cfg) {
    this.cfg = cfg;
    this.store = cfg.store();
    this.clock = cfg.clock();
    this.policy = cfg.policy();
    this.proofs = new ProofVerifier(clock, cfg.signatureSkew(), cfg.challengeTtl(), cfg.random());
    this.refreshInterval = cfg.pendingTtl().dividedBy(10);
  }

  @Override
  public ScopePolicy scopePolicy() {
    return policy;
  }

  @Override
  public Challenge issueChallenge() {
    return proofs.issue();
  }

  // ---------------------------------------------------------------------------------------------
  // connect

  @Override
  public ConnectResult connect(ConnectAttempt a) {
    Instant now = clock.instant();
    ProofVerifier.Outcome proof = proofs.verify(a, now);
    if (proof.error() != null) {
      return new Rejected(a.deviceId(), proof.error(), proof.message());
    }
    DevicePublicKey key = proof.key();
    DeviceId id = proof.deviceId();
    Role role = a.role();
    ScopeSet requested;
    try {
      requested = ScopeSet.parse(a.scopes());
    } catch (PairgateException e) {
      return new Rejected(id.value(), ErrorCode.INVALID_SCOPE, e.getMessage());
    }
    for (Scope s : requested) {
      if (!policy.admissible(role, s)) {
        return new Rejected(
            id.value(), ErrorCode.INVALID_SCOPE,
            "scope " + s + " can never be held by role " + role);
      }
    }
    String address = a.peerAddress();
    return retry(id, rec -> decide(rec, a, key, role, requested, address, now));
  }

  /** One attempt of the decision on one snapshot of the record. */
  private Step<ConnectResult> decide(
      DeviceRecord rec, ConnectAttempt a, DevicePublicKey key, Role role, ScopeSet requested,
      String address, Instant now) {
    String id = rec.deviceId().value();
    if (rec.blocked()) {
      return Step.done(new Rejected(id, ErrorCode.BLOCKED, "device is blocked"));
    }
    PairedDevice paired = rec.paired();
    boolean keyMatches = paired != null && paired.publicKey().equals(key);
    if (a.auth() == AuthMethod.DEVICE_TOKEN) {
      TokenCheck check =
          keyMatches ? checkToken(paired, role, a.token(), requested) : TokenCheck.NOT_PAIRED;
      if (!check.ok()) {
        return Step.done(new Rejected(id, check.errorCode(), "device token: " + check.name()));
      }
    }
    UpgradeReason reason = null;
    MetadataPins.Verdict pin = MetadataPins.Verdict.MATCH;
    if (!keyMatches) {
      reason = UpgradeReason.NOT_PAIRED;
    } else {
      pin = MetadataPins.compare(paired.client(), a.client());
      if (pin == MetadataPins.Verdict.MISMATCH) {
        reason = UpgradeReason.METADATA_UPGRADE;
      } else if (!paired.effectiveRoles().contains(role)) {
        reason = UpgradeReason.ROLE_UPGRADE;
      } else if (!policy.allows(role, requested, paired.approvedScopes())) {
        reason = UpgradeReason.SCOPE_UPGRADE;
      }
    }
    if (reason == null) {
      return allow(rec, paired, role, requested, a.client(), pin, now);
    }
    return requirePairing(rec, paired, keyMatches, key, role, requested, a.client(), address, reason, now);
  }

  private Step<ConnectResult> allow(
      DeviceRecord rec, PairedDevice paired, Role role, ScopeSet requested, ClientInfo client,
      MetadataPins.Verdict pin, Instant now) {
    ScopeSet baseline = paired.approvedScopes();
    DeviceToken t = paired.token(role);
    DeviceToken token;
    boolean issued;
    if (t != null && !t.isRevoked() && policy.allows(role, requested, t.scopes())
        && policy.allows(role, t.scopes(), baseline)) {
      token = t;
      issued = false;
    } else {
      // Grow (never narrow) the token to cover the request, clamped to the baseline.
      ScopeSet kept =
          t == null || t.isRevoked()
              ? ScopeSet.empty()
              : t.scopes().filter(s -> policy.implies(role, s, baseline));
      ScopeSet scopes = kept.union(requested);
      if (t == null || t.isRevoked()) {
        token = new DeviceToken(
            role, scopes, Ids.tokenSecret(cfg.random()), t == null ? now : t.createdAt(),
            t == null ? null : now, null, t == null ? null : t.lastUsedAt());
      } else {
        token = new DeviceToken(
            role, scopes, t.secret(), t.createdAt(), now, null, t.lastUsedAt());
      }
      issued = true;
    }
    PairedDevice next = paired;
    if (issued) {
      Map<Role, DeviceToken> tokens = new HashMap<>(paired.tokens());
      tokens.put(role, token);
      next = next.withTokens(tokens);
    }
    if (pin == MetadataPins.Verdict.REFRESH) {
      next = next.withClient(
          paired.client().withPlatform(client.platform()).withDeviceFamily(client.deviceFamily()));
    }
    Allowed result = new Allowed(rec.deviceId().value(), role, requested, token, issued);
    if (next == paired) {
      Instant seen = paired.lastSeenAt();
      if (seen == null || !seen.plus(cfg.touchInterval()).isAfter(now)) {
        store.touch(rec.deviceId(), role, now);
      }
      return Step.done(result);
    }
    return Step.write(
        new DeviceRecord(rec.deviceId(), rec.version() + 1, next.withLastSeenAt(now), rec.pending(),
            rec.blocked(), rec.resolved()),
        result);
  }

  private Step<ConnectResult> requirePairing(
      DeviceRecord rec, @Nullable PairedDevice paired, boolean keyMatches, DevicePublicKey key,
      Role role, ScopeSet requested, ClientInfo client, String address, UpgradeReason reason,
      Instant now) {
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    PendingRequest p = rec.pending();
    if (p != null && p.isExpired(now)) {
      resolved.add(new ResolvedRequest(p.requestId(), Outcome.EXPIRED, "", now));
      p = null;
    }
    PendingRequest next;
    RequestChange change;
    if (p != null && covers(p, key, role, requested, client)) {
      if (now.isBefore(p.refreshedAt().plus(refreshInterval))) {
        return Step.done(pairingRequired(rec, paired, keyMatches, role, requested, reason, p,
            RequestChange.UNCHANGED, now));
      }
      next = new PendingRequest(
          p.requestId(), p.deviceId(), p.publicKey(), p.role(), p.roles(), p.scopes(), p.client(),
          p.remoteAddress(), p.createdAt(), now, now.plus(cfg.pendingTtl()), p.repair(), p.reason());
      change = RequestChange.REFRESHED;
    } else {
      String newId = Ids.uuid(cfg.random());
      List<Role> roles = new ArrayList<>();
      roles.add(role);
      ScopeSet scopes = requested;
      boolean repair = paired != null;
      if (p != null) {
        roles.addAll(p.roles());
        scopes = p.scopes().union(requested);
        repair |= p.repair();
        resolved.add(new ResolvedRequest(p.requestId(), Outcome.SUPERSEDED, newId, now));
        change = RequestChange.SUPERSEDED;
      } else {
        change = RequestChange.CREATED;
      }
      next = new PendingRequest(
          newId, rec.deviceId(), key, role, roles, scopes, client, address, now, now,
          now.plus(cfg.pendingTtl()), repair, reason);
    }
    DeviceRecord written = new DeviceRecord(
        rec.deviceId(), rec.version() + 1, rec.paired(), next, rec.blocked(), prune(resolved, now));
    return Step.write(written,
        pairingRequired(rec, paired, keyMatches, role, requested, reason, next, change, now));
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

  private PairingRequired pairingRequired(
      DeviceRecord rec, @Nullable PairedDevice paired, boolean keyMatches, Role role,
      ScopeSet requested, UpgradeReason reason, PendingRequest pending, RequestChange change,
      Instant now) {
    List<Role> approvedRoles = keyMatches ? paired.roles() : List.of();
    ScopeSet approvedScopes = keyMatches ? paired.approvedScopes() : null;
    List<Scope> missing =
        keyMatches ? policy.missing(role, requested, paired.approvedScopes()) : requested.scopes();
    long pendingForMs = Math.max(0, now.toEpochMilli() - pending.createdAt().toEpochMilli());
    Duration retryAfter =
        Duration.ofMillis(Math.min(30_000, Math.max(1_000, pendingForMs / 10)));
    return new PairingRequired(
        rec.deviceId().value(), reason, pending.requestId(), change, role, requested,
        approvedRoles, approvedScopes, missing, retryAfter);
  }

  // ---------------------------------------------------------------------------------------------
  // operator actions

  @Override
  public Approval approve(String requestId, Approver approver) {
    return retryByRequest(requestId, rec -> approveStep(rec, requestId, approver, clock.instant()));
  }

  private Step<Approval> approveStep(
      DeviceRecord rec, String requestId, Approver approver, Instant now) {
    PendingRequest p = rec.pending();
    if (p == null || !p.requestId().equals(requestId)) {
      ResolvedRequest r = resolvedEntry(rec, requestId);
      if (r.outcome() == Outcome.APPROVED && rec.paired() != null) {
        return Step.done(new Approval(requestId, rec.paired(), true, List.of(), ScopeSet.empty()));
      }
      throw afterResolution(rec, r);
    }
    if (p.isExpired(now)) {
      throw new PairgateException(ErrorCode.EXPIRED, "request " + requestId + " expired at "
          + p.expiresAt() + "; the device must connect again to ask anew");
    }
    List<Scope> missing = new ArrayList<>();
    ScopeSet held = approver.scopes();
    for (Role r : p.roles()) {
      if (!r.equals(Role.OPERATOR) && !policy.implies(Role.OPERATOR, Scope.OPERATOR_ADMIN, held)) {
        missing.add(Scope.OPERATOR_ADMIN);
        break;
      }
    }
    for (Scope s : policy.missing(Role.OPERATOR, policy.admissibleFor(Role.OPERATOR, p.scopes()), held)) {
      if (!missing.contains(s)) {
        missing.add(s);
      }
    }
    if (!missing.isEmpty()) {
      throw new ForbiddenException(requestId, missing);
    }
    PairedDevice old = rec.paired();
    if (old != null && !old.publicKey().equals(p.publicKey())) {
      old = null; // a different key is a new identity: start from nothing
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
    for (Role r : p.roles()) {
      ScopeSet forRole = policy.admissibleFor(r, p.scopes());
      DeviceToken t = tokens.get(r);
      if (t != null && !t.isRevoked()) {
        ScopeSet grown = t.scopes().union(forRole);
        if (!grown.equals(t.scopes())) {
          tokens.put(r, new DeviceToken(r, grown, t.secret(), t.createdAt(), now, null, t.lastUsedAt()));
        }
      } else {
        tokens.put(r, new DeviceToken(r, forRole, Ids.tokenSecret(cfg.random()),
            t == null ? now : t.createdAt(), t == null ? null : now, null,
            t == null ? null : t.lastUsedAt()));
      }
    }
    PairedDevice device = new PairedDevice(
        rec.deviceId(), p.publicKey(), new ArrayList<>(roles), baseline, p.client(),
        old == null ? "" : old.label(), tokens, old == null ? now : old.createdAt(), now,
        old == null ? null : old.lastSeenAt(), "operator", p.remoteAddress());
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    resolved.add(new ResolvedRequest(requestId, Outcome.APPROVED, "", now));
    LOG.debug("device pairing approved device={} requestId={} by={} roles={} scopes={}",
        rec.deviceId(), requestId, approver.name(), device.roles(), device.approvedScopes());
    return Step.write(
        new DeviceRecord(rec.deviceId(), rec.version() + 1, device, null, rec.blocked(),
            prune(resolved, now)),
        new Approval(requestId, device, false, addedRoles, addedScopes));
  }

  @Override
  public PendingRequest reject(String requestId) {
    return retryByRequest(requestId, rec -> {
      Instant now = clock.instant();
      PendingRequest p = rec.pending();
      if (p == null || !p.requestId().equals(requestId)) {
        throw afterResolution(rec, resolvedEntry(rec, requestId));
      }
      List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
      resolved.add(new ResolvedRequest(requestId, Outcome.REJECTED, "", now));
      return Step.write(
          new DeviceRecord(rec.deviceId(), rec.version() + 1, rec.paired(), null, rec.blocked(),
              prune(resolved, now)),
          p);
    });
  }

  @Override
  public PairedDeviceSummary remove(DeviceId deviceId) {
    return retry(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      Instant now = clock.instant();
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, null, null, rec.blocked(),
              dropPending(rec, now)),
          paired.summary());
    });
  }

  @Override
  public void block(DeviceId deviceId) {
    retry(deviceId, rec -> {
      if (rec.blocked() && rec.pending() == null) {
        return Step.done(Boolean.FALSE);
      }
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, rec.paired(), null, true,
              dropPending(rec, clock.instant())),
          Boolean.TRUE);
    });
  }

  @Override
  public void unblock(DeviceId deviceId) {
    retry(deviceId, rec -> {
      if (!rec.blocked()) {
        return Step.done(Boolean.FALSE);
      }
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, rec.paired(), rec.pending(), false,
              rec.resolved()),
          Boolean.TRUE);
    });
  }

  @Override
  public DeviceToken rotate(DeviceId deviceId, Role role, Optional<ScopeSet> scopes) {
    return retry(deviceId, rec -> {
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
      DeviceToken token = new DeviceToken(role, target, Ids.tokenSecret(cfg.random()),
          old == null ? now : old.createdAt(), now, null, old == null ? null : old.lastUsedAt());
      Map<Role, DeviceToken> tokens = new HashMap<>(paired.tokens());
      tokens.put(role, token);
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, paired.withTokens(tokens), rec.pending(),
              rec.blocked(), rec.resolved()),
          token);
    });
  }

  @Override
  public TokenSummary revoke(DeviceId deviceId, Role role) {
    return retry(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      DeviceToken t = paired.token(role);
      if (t == null) {
        throw new PairgateException(ErrorCode.UNKNOWN_ROLE,
            "device " + deviceId + " has no token for role " + role);
      }
      if (t.isRevoked()) {
        return Step.done(t.summary());
      }
      DeviceToken revoked = new DeviceToken(role, t.scopes(), t.secret(), t.createdAt(),
          t.rotatedAt(), clock.instant(), t.lastUsedAt());
      Map<Role, DeviceToken> tokens = new HashMap<>(paired.tokens());
      tokens.put(role, revoked);
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, paired.withTokens(tokens), rec.pending(),
              rec.blocked(), rec.resolved()),
          revoked.summary());
    });
  }

  @Override
  public PairedDeviceSummary rename(DeviceId deviceId, String label) {
    return retry(deviceId, rec -> {
      PairedDevice paired = requirePaired(rec);
      if (paired.label().equals(label)) {
        return Step.done(paired.summary());
      }
      PairedDevice next = paired.withLabel(label);
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, next, rec.pending(), rec.blocked(),
              rec.resolved()),
          next.summary());
    });
  }

  @Override
  public TokenCheck verifyToken(DeviceId deviceId, Role role, String token, ScopeSet requested) {
    PairedDevice paired = store.load(deviceId).map(DeviceRecord::paired).orElse(null);
    if (paired == null) {
      return TokenCheck.NOT_PAIRED;
    }
    return checkToken(paired, role, token, requested);
  }

  private TokenCheck checkToken(PairedDevice paired, Role role, String token, ScopeSet requested) {
    if (!paired.roles().contains(role)) {
      return TokenCheck.ROLE_MISSING;
    }
    DeviceToken t = paired.token(role);
    if (t == null) {
      return TokenCheck.TOKEN_MISSING;
    }
    if (t.isRevoked()) {
      return TokenCheck.REVOKED;
    }
    if (!t.matches(token)) {
      return TokenCheck.MISMATCH;
    }
    if (!policy.allows(role, t.scopes(), paired.approvedScopes())) {
      return TokenCheck.EXCEEDS_BASELINE;
    }
    if (!policy.allows(role, requested, t.scopes())) {
      return TokenCheck.SCOPE_MISMATCH;
    }
    return TokenCheck.OK;
  }

  @Override
  public Optional<PairedDevice> device(DeviceId deviceId) {
    return store.load(deviceId).map(DeviceRecord::paired);
  }

  @Override
  public Optional<PendingRequest> pendingRequest(String requestId) {
    Instant now = clock.instant();
    return store.findByRequestId(requestId)
        .map(DeviceRecord::pending)
        .filter(p -> p.requestId().equals(requestId) && !p.isExpired(now));
  }

  @Override
  public PairingListing list() {
    Instant now = clock.instant();
    List<PendingRequest> pending = new ArrayList<>();
    List<PairedDeviceSummary> paired = new ArrayList<>();
    List<DeviceId> blocked = new ArrayList<>();
    String after = "";
    while (true) {
      List<DeviceRecord> page = store.list(after, 500);
      for (DeviceRecord r : page) {
        if (r.pending() != null && !r.pending().isExpired(now)) {
          pending.add(r.pending());
        }
        if (r.paired() != null) {
          paired.add(r.paired().summary());
        }
        if (r.blocked()) {
          blocked.add(r.deviceId());
        }
      }
      if (page.size() < 500) {
        break;
      }
      after = page.get(page.size() - 1).deviceId().value();
    }
    return new PairingListing(pending, paired, blocked);
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  private static PairedDevice requirePaired(DeviceRecord rec) {
    PairedDevice paired = rec.paired();
    if (paired == null) {
      throw new PairgateException(ErrorCode.UNKNOWN_DEVICE,
          "no paired device " + rec.deviceId());
    }
    return paired;
  }

  /** The resolved list with the pending request (if any) recorded as rejected. */
  private List<ResolvedRequest> dropPending(DeviceRecord rec, Instant now) {
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    if (rec.pending() != null) {
      resolved.add(new ResolvedRequest(rec.pending().requestId(), Outcome.REJECTED, "", now));
    }
    return prune(resolved, now);
  }

  private static ResolvedRequest resolvedEntry(DeviceRecord rec, String requestId) {
    for (ResolvedRequest r : rec.resolved()) {
      if (r.requestId().equals(requestId)) {
        return r;
      }
    }
    throw unknownRequest(requestId, "");
  }

  /** The error for acting on a request that is no longer pending. */
  private static PairgateException afterResolution(DeviceRecord rec, ResolvedRequest r) {
    return switch (r.outcome()) {
      case SUPERSEDED -> new SupersededException(r.requestId(),
          rec.pending() != null ? rec.pending().requestId() : r.successorRequestId());
      case EXPIRED -> new PairgateException(ErrorCode.EXPIRED,
          "request " + r.requestId() + " expired; the device must connect again to ask anew");
      case REJECTED -> unknownRequest(r.requestId(), " (it was rejected or dropped)");
      case APPROVED -> unknownRequest(r.requestId(),
          " (it was approved, but the device is no longer paired)");
    };
  }

  private static PairgateException unknownRequest(String requestId, String detail) {
    return new PairgateException(ErrorCode.UNKNOWN_REQUEST,
        "unknown request id " + requestId + detail);
  }

  private List<ResolvedRequest> prune(List<ResolvedRequest> resolved, Instant now) {
    Instant cutoff = now.minus(cfg.resolvedRetention());
    List<ResolvedRequest> kept = new ArrayList<>(resolved.size());
    for (ResolvedRequest r : resolved) {
      if (r.resolvedAt().isAfter(cutoff)) {
        kept.add(r);
      }
    }
    int excess = kept.size() - cfg.maxResolvedPerDevice();
    return excess > 0 ? kept.subList(excess, kept.size()) : kept;
  }

  /** What one attempt on a record snapshot decided: a result, and maybe a record to write. */
  private record Step<T>(@Nullable DeviceRecord write, T result) {
    static <T> Step<T> done(T result) {
      return new Step<>(null, result);
    }

    static <T> Step<T> write(DeviceRecord next, T result) {
      return new Step<>(next, result);
    }
  }

  private <T> T retry(DeviceId id, Function<DeviceRecord, Step<T>> body) {
    for (int i = 0; i < cfg.maxConflictRetries(); i++) {
      DeviceRecord rec = store.load(id).orElseGet(() -> DeviceRecord.absent(id));
      Step<T> step = body.apply(rec);
      if (step.write() == null || store.compareAndSet(rec.version(), step.write())) {
        return step.result();
      }
    }
    throw new StoreException("gave up after " + cfg.maxConflictRetries()
        + " conflicting concurrent changes to device " + id, true);
  }

  private <T> T retryByRequest(String requestId, Function<DeviceRecord, Step<T>> body) {
    for (int i = 0; i < cfg.maxConflictRetries(); i++) {
      DeviceRecord rec = store.findByRequestId(requestId)
          .orElseThrow(() -> unknownRequest(requestId, ""));
      Step<T> step = body.apply(rec);
      if (step.write() == null || store.compareAndSet(rec.version(), step.write())) {
        return step.result();
      }
    }
    throw new StoreException("gave up after " + cfg.maxConflictRetries()
        + " conflicting concurrent changes to request " + requestId, true);
  }
}
