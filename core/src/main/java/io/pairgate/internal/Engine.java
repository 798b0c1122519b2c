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
import io.pairgate.DeviceExplanation;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.DeviceToken;
import io.pairgate.IssuedToken;
import io.pairgate.ErrorCode;
import io.pairgate.Explanation;
import io.pairgate.Explanation.Status;
import io.pairgate.ForbiddenException;
import io.pairgate.PairedDevice;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.RequestExplanation;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.StoreException;
import io.pairgate.SupersededException;
import io.pairgate.TokenCheck;
import io.pairgate.TokenHash;
import io.pairgate.TokenSecret;
import io.pairgate.TokenSummary;
import io.pairgate.UpgradeReason;
import io.pairgate.audit.AuditEvent;
import io.pairgate.audit.AuditListener;
import io.pairgate.policy.ApprovalVerdict;
import io.pairgate.policy.BrowserOrigin;
import io.pairgate.policy.ClientAddress;
import io.pairgate.policy.ClientKind;
import io.pairgate.policy.IpAddress;
import io.pairgate.policy.IpRange;
import io.pairgate.policy.Locality;
import io.pairgate.policy.SilentApproval;
import io.pairgate.policy.StandingApproval;
import io.pairgate.policy.TrustedProxies;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import io.pairgate.spi.RandomSource;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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
      int maxConflictRetries,
      TrustedProxies trustedProxies,
      boolean allowRealIpFallback,
      boolean autoApproveLocal,
      List<StandingApproval> standingApprovals,
      int maxPending,
      int maxPendingPerAddress,
      List<AuditListener> auditListeners,
      boolean pairingRequired,
      Function<ClientInfo, ClientKind> clientKinds,
      boolean acceptV2Proofs,
      int maxChallenges,
      List<BrowserOrigin> allowedOrigins,
      boolean rejectUntrustedForwarded,
      TrustedProxies sameHostProxies,
      List<IpRange> browserContainerBridges,
      ScopeSet neverSilent,
      int pendingIpv6Prefix,
      int localPendingReserve) {

    /** Copies the lists. */
    public Config {
      standingApprovals = List.copyOf(standingApprovals);
      auditListeners = List.copyOf(auditListeners);
      allowedOrigins = List.copyOf(allowedOrigins);
      browserContainerBridges = List.copyOf(browserContainerBridges);
    }
  }

  private final Config cfg;
  private final PairingStore store;
  private final Clock clock;
  private final ScopePolicy policy;
  private final ProofVerifier proofs;
  private final Duration refreshInterval;

  /** Creates the engine from validated options; logs a warning when pairing is switched off. */
  public Engine(Config cfg) {
    this.cfg = cfg;
    this.store = cfg.store();
    this.clock = cfg.clock();
    this.policy = cfg.policy();
    this.proofs = new ProofVerifier(clock, cfg.signatureSkew(), cfg.challengeTtl(), cfg.random(),
        cfg.acceptV2Proofs(), cfg.maxChallenges());
    this.refreshInterval = cfg.pendingTtl().dividedBy(10);
    if (!cfg.pairingRequired()) {
      LOG.warn("pairing is switched off (pairingRequired=false): every device with a valid proof is"
          + " approved automatically with the role and scopes it asks for"
          + " (approvedVia=pairing-disabled); use this only on a private, trusted network");
    }
    for (IpRange r : cfg.trustedProxies().ranges()) {
      if (!r.isSingleAddress() && r.coversPublicAddresses()) {
        LOG.warn("trusted proxy range {} includes public addresses: any host in it can claim any"
            + " client address; list only your proxies", r);
      }
    }
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
  // connect and explain

  /** Per-attempt facts about the connection, computed on first use (not on the allowed path). */
  private final class Ctx {
    private final ConnectAttempt a;
    private @Nullable ClientAddress address;
    private @Nullable ClientKind kind;
    private Locality.@Nullable Classification locality;

    Ctx(ConnectAttempt a) {
      this.a = a;
    }

    ClientAddress address() {
      ClientAddress x = address;
      if (x == null) {
        x = ClientAddress.resolve(
            a.peerAddress(), a.headers(), cfg.trustedProxies(), cfg.allowRealIpFallback());
        address = x;
      }
      return x;
    }

    ClientKind kind() {
      ClientKind k = kind;
      if (k == null) {
        k = cfg.clientKinds().apply(a.client());
        kind = k;
      }
      return k;
    }

    Locality.Classification locality() {
      Locality.Classification l = locality;
      if (l == null) {
        l = Locality.classify(
            address(), a.headers(), a.auth(), cfg.browserContainerBridges());
        locality = l;
      }
      return l;
    }

    /** Whether the socket peer and every skipped proxy hop are listed in sameHostProxies. */
    boolean sameHostProxy() {
      ClientAddress x = address();
      if (!x.peerTrusted() || cfg.sameHostProxies().isEmpty()) {
        return false;
      }
      List<String> hops = new ArrayList<>(x.proxyHops());
      hops.add(x.peer());
      for (String hop : hops) {
        IpAddress ip = IpAddress.tryParse(hop).orElse(null);
        if (ip == null || !cfg.sameHostProxies().contains(ip)
            || !cfg.trustedProxies().contains(ip)) {
          return false;
        }
      }
      return true;
    }

    boolean browserOrigin() {
      return a.headers().containsKey("origin");
    }

    AuthMethod auth() {
      return a.auth();
    }
  }

  @Override
  public ConnectResult connect(ConnectAttempt a) {
    Instant now = clock.instant();
    Ctx ctx = new Ctx(a);
    ConnectResult r = evaluate(a, ctx, now, Trail.OFF);
    if (r instanceof Rejected x) {
      fire(List.of(new AuditEvent.ConnectRejected(
          now, safeId(x.deviceId()), x.code(), x.message(), ctx.address().address())));
    }
    return r;
  }

  @Override
  public Explanation explain(ConnectAttempt a) {
    Instant now = clock.instant();
    Ctx ctx = new Ctx(a);
    Trail t = Trail.dryRun();
    if (!cfg.pairingRequired()) {
      t.add("R13", "pairing switched off", Status.INFO, "pairingRequired(false): a device with a"
          + " valid proof is approved automatically (approvedVia=pairing-disabled); blocks and"
          + " revoked tokens still apply");
    }
    t.add("R10.3", "client address", Status.INFO, ctx.address().describe());
    Locality.Classification loc = ctx.locality();
    t.add("R10.5", "locality", Status.INFO, loc.locality().wireName() + ": " + loc.reason());
    ConnectResult r = evaluate(a, ctx, now, t);
    ConnectResult.Kind outcome = r.fold(
        x -> ConnectResult.Kind.ALLOWED,
        x -> ConnectResult.Kind.PAIRING_REQUIRED,
        x -> ConnectResult.Kind.REJECTED);
    ErrorCode rejection = r instanceof Rejected x ? x.code() : null;
    RequestChange change = r instanceof PairingRequired p ? p.requestChange() : null;
    String requestId = r instanceof PairingRequired p ? p.requestId() : t.requestId;
    return new Explanation(
        a.deviceId(), outcome, t.rule, rejection, t.reason, change, requestId, t.via, a.role(),
        a.scopes(), t.approvedRoles, t.approvedScopes, t.missing, ctx.address(), loc.locality(),
        loc.reason(), t.auto, cfg.pairingRequired(), t.checks);
  }

  /**
   * Nonce consumption (R1.4), admission (R16), proof (R1.3), validation (R3), then the decision:
   * for real (trail off) or as a dry run (trail on).
   */
  private ConnectResult evaluate(ConnectAttempt a, Ctx ctx, Instant now, Trail t) {
    boolean nonceLive = proofs.takeNonce(a, now, !t.on);
    Rejected refused = admission(a, ctx, t);
    if (refused != null) {
      return refused;
    }
    ProofVerifier.Outcome proof = proofs.verify(a, now, nonceLive);
    ErrorCode error = proof.error();
    DevicePublicKey key = proof.key();
    DeviceId id = proof.deviceId();
    if (error != null || key == null || id == null) {
      ErrorCode code = error == null ? ErrorCode.PUBLIC_KEY_INVALID : error;
      String rule = proofRule(code);
      t.add(rule, "proof of possession", Status.FAIL, code.wireName() + ": " + proof.message());
      t.decide(rule);
      return new Rejected(a.deviceId(), code, proof.message());
    }
    t.add("R1.3", "proof of possession", Status.PASS,
        t.on ? "signature verified; the challenge nonce was left unused (dry run)" : "");
    Role role = a.role();
    ScopeSet requested;
    try {
      requested = ScopeSet.parse(a.scopes());
    } catch (PairgateException e) {
      return invalidScope(id, e.getMessage(), t);
    }
    for (Scope s : requested) {
      if (!policy.admissible(role, s)) {
        return invalidScope(id, "scope " + s + " can never be held by role " + role, t);
      }
    }
    t.add("R3.1", "scopes well-formed and admissible", Status.PASS, "");
    if (!t.on) {
      return retry(id, rec -> decide(rec, a, key, role, requested, ctx, now, t));
    }
    DeviceRecord rec = store.load(id).orElseGet(() -> DeviceRecord.absent(id));
    return decide(rec, a, key, role, requested, ctx, now, t).result();
  }

  /**
   * R16: input limits and signed-field characters, forwarding headers from an untrusted peer
   * (with rejectUntrustedForwarded) and the browser Origin, before the proof and before anything
   * is read or written.
   */
  private @Nullable Rejected admission(ConnectAttempt a, Ctx ctx, Trail t) {
    Optional<io.pairgate.InputLimits.Violation> v = io.pairgate.InputLimits.check(a);
    if (v.isPresent()) {
      String rule = v.get().code() == ErrorCode.FIELD_TOO_LONG ? "R16.1" : "R16.2";
      t.add(rule, "input limits", Status.FAIL, v.get().message());
      t.decide(rule);
      return new Rejected(safeId(a.deviceId()), v.get().code(), v.get().message());
    }
    t.add("R16.1", "input limits and signed-field characters", Status.PASS, "");
    ClientAddress address = ctx.address();
    if (cfg.rejectUntrustedForwarded() && address.untrustedForwarding()) {
      String m = "proxy client attribution is required: forwarding headers came from "
          + (address.peer().isEmpty() ? "an unknown peer" : address.peer())
          + ", which is not a trusted proxy; configure trustedProxies narrowly";
      t.add("R16.3", "forwarding headers", Status.FAIL, m);
      t.decide("R16.3");
      return new Rejected(safeId(a.deviceId()), ErrorCode.PROXY_ATTRIBUTION_REQUIRED, m);
    }
    t.add("R16.3", "forwarding headers", address.untrustedForwarding() ? Status.INFO : Status.PASS,
        address.untrustedForwarding() ? "forwarding headers from an untrusted peer are ignored"
            + " (rejectUntrustedForwarded is off)" : "");
    if (ctx.browserOrigin()) {
      Optional<String> why =
          BrowserOrigin.refusal(a.headers(), a.scheme(), cfg.allowedOrigins());
      if (why.isPresent()) {
        t.add("R16.4", "browser origin", Status.FAIL, why.get());
        t.decide("R16.4");
        return new Rejected(safeId(a.deviceId()), ErrorCode.ORIGIN_NOT_ALLOWED, why.get());
      }
      t.add("R16.4", "browser origin", Status.PASS, t.on ? "Origin is allowed" : "");
    } else {
      t.add("R16.4", "browser origin", Status.SKIP, t.on ? "no Origin: not a browser" : "");
    }
    return null;
  }

  private static Rejected invalidScope(DeviceId id, String message, Trail t) {
    t.add("R3.1", "scopes well-formed and admissible", Status.FAIL, message);
    t.decide("R3.1");
    return new Rejected(id.value(), ErrorCode.INVALID_SCOPE, message);
  }

  private static String proofRule(ErrorCode code) {
    return switch (code) {
      case DEVICE_ID_MISMATCH -> "R1.3.2";
      case SIGNATURE_EXPIRED -> "R1.3.4";
      case NONCE_REQUIRED -> "R1.3.5";
      case NONCE_MISMATCH -> "R1.3.6";
      case SIGNATURE_INVALID -> "R1.3.7";
      default -> "R1.3.1";
    };
  }

  /** One attempt of the decision on one snapshot of the record (R4). */
  private Step<ConnectResult> decide(
      DeviceRecord rec, ConnectAttempt a, DevicePublicKey key, Role role, ScopeSet requested,
      Ctx ctx, Instant now, Trail t) {
    String id = rec.deviceId().value();
    PairedDevice paired = rec.paired();
    boolean keyMatches = paired != null && paired.publicKey().equals(key);
    if (t.on) {
      t.approvedRoles = keyMatches ? paired.roles() : List.of();
      t.approvedScopes = keyMatches ? paired.approvedScopes() : null;
      t.missing = keyMatches
          ? policy.missing(role, requested, paired.approvedScopes()) : requested.scopes();
    }
    if (rec.blocked()) {
      t.add("R4.1", "not blocked", Status.FAIL,
          "an operator blocked this device; unblock it to let it connect or ask again");
      t.decide("R4.1");
      return Step.done(new Rejected(id, ErrorCode.BLOCKED, "device is blocked"));
    }
    t.add("R4.1", "not blocked", Status.PASS, "");
    if (a.auth() == AuthMethod.DEVICE_TOKEN) {
      TokenCheck check =
          keyMatches ? checkToken(paired, role, a.token(), requested) : TokenCheck.NOT_PAIRED;
      if (!check.ok()) {
        t.add("R4.2", "device token", Status.FAIL,
            check.name() + " -> " + check.errorCode().wireName());
        t.decide("R4.2");
        return Step.done(new Rejected(id, check.errorCode(), "device token: " + check.name()));
      }
      t.add("R4.2", "device token", Status.PASS, "");
    } else {
      t.add("R4.2", "device token", Status.SKIP, t.on ? "auth is " + a.auth().wireName() : "");
    }
    Verdict v = reasonFor(paired, keyMatches, role, requested, a.client(), t);
    UpgradeReason reason = v.reason();
    if (reason == null) {
      t.decide("R4.8");
      return allow(rec, paired, role, requested, a.client(), v.pin(), presented(a), now, t);
    }
    if (t.on) {
      t.reason = reason;
    }
    return requirePairing(rec, paired, keyMatches, key, role, requested, a, ctx, reason, now, t);
  }

  /** The first of R4.3–R4.6 that holds, or none; and the metadata pin verdict (R4.7). */
  private record Verdict(@Nullable UpgradeReason reason, MetadataPins.Verdict pin) {}

  private Verdict reasonFor(
      @Nullable PairedDevice paired, boolean keyMatches, Role role, ScopeSet requested,
      ClientInfo client, Trail t) {
    if (!keyMatches || paired == null) {
      t.add("R4.3", "paired with this key", Status.FAIL,
          paired == null ? "the device is not paired" : "the device is paired with another key");
      return new Verdict(UpgradeReason.NOT_PAIRED, MetadataPins.Verdict.MATCH);
    }
    t.add("R4.3", "paired with this key", Status.PASS, "");
    MetadataPins.Verdict pin =
        MetadataPins.compare(paired.client(), paired.legacyMetadata(), client);
    if (pin == MetadataPins.Verdict.MISMATCH) {
      t.add("R4.4", "pinned platform and device family", Status.FAIL, t.on
          ? "pinned platform=" + quote(paired.client().platform()) + " deviceFamily="
              + quote(paired.client().deviceFamily()) + ", connect sent platform="
              + quote(client.platform()) + " deviceFamily=" + quote(client.deviceFamily())
          : "");
      return new Verdict(UpgradeReason.METADATA_UPGRADE, pin);
    }
    t.add("R4.4", "pinned platform and device family", Status.PASS,
        pin == MetadataPins.Verdict.REFRESH ? "tolerated change; the pin is refreshed" : "");
    List<Role> effective = paired.effectiveRoles();
    if (!effective.contains(role)) {
      t.add("R4.5", "role is effective", Status.FAIL, t.on
          ? role + " is not among the effective roles " + effective + roleDetail(paired, role)
          : "");
      return new Verdict(UpgradeReason.ROLE_UPGRADE, pin);
    }
    t.add("R4.5", "role is effective", Status.PASS, "");
    if (!policy.allows(role, requested, paired.approvedScopes())) {
      t.add("R4.6", "scopes within the approved baseline", Status.FAIL, t.on
          ? "missing " + policy.missing(role, requested, paired.approvedScopes())
              + " from the baseline [" + paired.approvedScopes() + "]"
          : "");
      return new Verdict(UpgradeReason.SCOPE_UPGRADE, pin);
    }
    t.add("R4.6", "scopes within the approved baseline", Status.PASS, "");
    return new Verdict(null, pin);
  }

  private static String roleDetail(PairedDevice paired, Role role) {
    if (!paired.roles().contains(role)) {
      return " (never approved)";
    }
    DeviceToken tk = paired.token(role);
    return tk != null && tk.isRevoked() ? " (its token was revoked)" : " (it has no token)";
  }

  private static String quote(String s) {
    return '"' + s + '"';
  }

  /**
   * The token an allowed connect uses, the paired device after it (R4.8), and the secret minted
   * for it, if this connect minted one.
   */
  private record Allow(
      PairedDevice next, DeviceToken token, boolean issued, @Nullable TokenSecret minted) {}

  /** The device token the client authenticated with, if it did (R7). */
  private static @Nullable String presented(ConnectAttempt a) {
    return a.auth() == AuthMethod.DEVICE_TOKEN ? a.token() : null;
  }

  /**
   * What an allowed connect delivers: the secret it minted, else the one the client authenticated
   * with if it is the token's; nothing when an existing token was reused under other auth (only
   * its hash is stored).
   */
  private static Optional<TokenSecret> delivered(Allow al, @Nullable String presented) {
    if (al.minted() != null) {
      return Optional.of(al.minted());
    }
    if (presented != null && al.token().matches(presented)) {
      return Optional.of(TokenSecret.of(presented));
    }
    return Optional.empty();
  }

  private Allow computeAllow(
      PairedDevice paired, Role role, ScopeSet requested, ClientInfo client,
      MetadataPins.Verdict pin, Instant now, boolean dry) {
    ScopeSet baseline = paired.approvedScopes();
    DeviceToken t = paired.token(role);
    DeviceToken token;
    boolean issued;
    TokenSecret minted = null;
    if (t != null && !t.isRevoked() && t.awaitingIssue()) {
      // an approval granted the role: mint the secret now and deliver it (R4.8, R6.3)
      ScopeSet kept = t.scopes().filter(s -> policy.implies(role, s, baseline));
      minted = secret(dry);
      token = new DeviceToken(role, kept.union(requested), minted.hash(), t.createdAt(),
          t.rotatedAt(), null, t.lastUsedAt());
      issued = true;
    } else if (t != null && !t.isRevoked() && policy.allows(role, requested, t.scopes())
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
        minted = secret(dry);
        token = new DeviceToken(
            role, scopes, minted.hash(), t == null ? now : t.createdAt(), t == null ? null : now,
            null, t == null ? null : t.lastUsedAt());
      } else {
        token = new DeviceToken(role, scopes, t.hash(), t.createdAt(), now, null, t.lastUsedAt());
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
      next = next.withPinnedMetadata(client);
    }
    return new Allow(next, token, issued, minted);
  }

  private Step<ConnectResult> allow(
      DeviceRecord rec, PairedDevice paired, Role role, ScopeSet requested, ClientInfo client,
      MetadataPins.Verdict pin, @Nullable String presented, Instant now, Trail t) {
    Allow al = computeAllow(paired, role, requested, client, pin, now, t.on);
    Allowed result = new Allowed(rec.deviceId().value(), role, requested, al.token(),
        delivered(al, presented), al.issued());
    if (al.next() == paired) {
      t.add("R4.9", "allowed without a write", Status.INFO, "the device token is reused");
      if (!t.on) {
        Instant seen = paired.lastSeenAt();
        if (seen == null || !seen.plus(cfg.touchInterval()).isAfter(now)) {
          store.touch(rec.deviceId(), role, now);
        }
      }
      return Step.done(result);
    }
    t.add("R4.8", "allowed", Status.INFO, al.issued()
        ? "the device token would be reissued or widened within the baseline"
        : "the metadata pin would be refreshed");
    return Step.write(
        new DeviceRecord(rec.deviceId(), rec.version() + 1, al.next().withLastSeenAt(now),
            rec.pending(), rec.blocked(), rec.resolved()),
        result);
  }

  /** The device's pending request after a pairing-required connect (R5). */
  private record Reconciled(
      PendingRequest next,
      RequestChange change,
      List<ResolvedRequest> resolved,
      @Nullable PendingRequest expired,
      @Nullable PendingRequest superseded) {}

  private Reconciled reconcile(
      DeviceRecord rec, @Nullable PairedDevice paired, DevicePublicKey key, Role role,
      ScopeSet requested, ClientInfo client, String address, String origin, UpgradeReason reason,
      Instant now, boolean dry) {
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    PendingRequest p = rec.pending();
    PendingRequest expired = null;
    if (p != null && p.isExpired(now)) {
      resolved.add(new ResolvedRequest(p.requestId(), Resolution.EXPIRED, "", now));
      expired = p;
      p = null;
    }
    if (p != null && covers(p, key, role, requested, client)) {
      if (now.isBefore(p.refreshedAt().plus(refreshInterval))) {
        return new Reconciled(p, RequestChange.UNCHANGED, resolved, null, null);
      }
      PendingRequest next = p.refreshed(now, now.plus(cfg.pendingTtl()));
      return new Reconciled(next, RequestChange.REFRESHED, resolved, null, null);
    }
    String newId = dry ? "" : Ids.uuid(cfg.random());
    List<Role> roles = new ArrayList<>();
    roles.add(role);
    ScopeSet scopes = requested;
    boolean repair = paired != null;
    RequestChange change = RequestChange.CREATED;
    if (p != null) {
      roles.addAll(p.roles());
      scopes = p.scopes().union(requested);
      repair |= p.repair();
      resolved.add(new ResolvedRequest(p.requestId(), Resolution.SUPERSEDED, newId, now));
      change = RequestChange.SUPERSEDED;
    }
    PendingRequest next = new PendingRequest(
        newId, rec.deviceId(), key, role, roles, scopes, client, address, now, now,
        now.plus(cfg.pendingTtl()), repair, reason, origin);
    return new Reconciled(next, change, resolved, expired, p);
  }

  private Step<ConnectResult> requirePairing(
      DeviceRecord rec, @Nullable PairedDevice paired, boolean keyMatches, DevicePublicKey key,
      Role role, ScopeSet requested, ConnectAttempt a, Ctx ctx, UpgradeReason reason, Instant now,
      Trail t) {
    t.decide(ruleOf(reason));
    Reconciled q = reconcile(rec, paired, key, role, requested, a.client(),
        ctx.address().address(), a.browserOrigin(), reason, now, t.on);
    if (t.on) {
      t.requestId = q.next().requestId();
      t.add("R5", "pending request", Status.INFO, describe(q));
    }
    Auto auto = autoApproval(paired, keyMatches, q.next(), reason, ctx, t);
    if (auto != null) {
      Step<ConnectResult> approved =
          approveAndAllow(rec, paired, keyMatches, q, auto, role, requested, a.client(),
              presented(a), now, t);
      if (approved != null) {
        return approved;
      }
    }
    if (q.change() == RequestChange.CREATED) {
      Rejected over = floodLimit(rec, ctx, now, t);
      if (over != null) {
        return Step.done(over);
      }
    } else {
      t.add("R12.1", "request flood limit", Status.SKIP,
          "only a connect that creates a new request is limited");
    }
    PairingRequired result = pairingRequired(
        rec, paired, keyMatches, role, requested, reason, q.next(), q.change(), now);
    if (q.change() == RequestChange.UNCHANGED) {
      return Step.done(result);
    }
    String id = rec.deviceId().value();
    List<AuditEvent> events = new ArrayList<>(3);
    lifecycleEvents(id, q, now, events);
    if (q.change() == RequestChange.REFRESHED) {
      events.add(new AuditEvent.RequestRefreshed(
          now, id, q.next().requestId(), q.next().expiresAt()));
    } else {
      events.add(requestedEvent(paired, keyMatches, q.next(), reason, role, requested, ctx, now));
    }
    DeviceRecord written = new DeviceRecord(
        rec.deviceId(), rec.version() + 1, rec.paired(), q.next(), rec.blocked(),
        prune(q.resolved(), now));
    return Step.write(written, result, events);
  }

  private static String ruleOf(UpgradeReason reason) {
    return switch (reason) {
      case NOT_PAIRED -> "R4.3";
      case METADATA_UPGRADE -> "R4.4";
      case ROLE_UPGRADE -> "R4.5";
      case SCOPE_UPGRADE -> "R4.6";
    };
  }

  private static String describe(Reconciled q) {
    String ex = q.expired() == null ? "" : "expired request " + q.expired().requestId()
        + " is replaced (R5.2); ";
    return ex + switch (q.change()) {
      case CREATED -> "a new request would be created (R5.5)";
      case REFRESHED -> "the pending request " + q.next().requestId()
          + " covers the connect and would be refreshed (R5.3)";
      case UNCHANGED -> "the pending request " + q.next().requestId()
          + " covers the connect and was refreshed recently: nothing is written (R5.3)";
      case SUPERSEDED -> "the pending request " + requireNonNull(q.superseded()).requestId()
          + " does not cover the connect and would be superseded by a new request for roles "
          + q.next().roles() + " scopes [" + q.next().scopes() + "] (R5.4)";
    };
  }

  private static <T> T requireNonNull(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("missing value");
    }
    return value;
  }

  private static void lifecycleEvents(
      String id, Reconciled q, Instant now, List<AuditEvent> events) {
    PendingRequest expired = q.expired();
    if (expired != null) {
      events.add(new AuditEvent.RequestExpired(now, id, expired.requestId(), expired.expiresAt()));
    }
    PendingRequest superseded = q.superseded();
    if (superseded != null) {
      events.add(new AuditEvent.RequestSuperseded(
          now, id, superseded.requestId(), q.next().requestId()));
    }
  }

  private AuditEvent requestedEvent(
      @Nullable PairedDevice paired, boolean keyMatches, PendingRequest p, UpgradeReason reason,
      Role role, ScopeSet requested, Ctx ctx, Instant now) {
    String id = p.deviceId().value();
    String locality = ctx.locality().locality().wireName();
    if (!keyMatches || paired == null) {
      return new AuditEvent.PairingRequested(now, id, p.requestId(), role, p.roles(), p.scopes(),
          p.remoteAddress(), locality, p.client().clientId(), p.client().platform());
    }
    TreeSet<Role> rolesTo = new TreeSet<>(paired.roles());
    rolesTo.addAll(p.roles());
    return new AuditEvent.UpgradeRequested(now, id, p.requestId(), reason, paired.roles(),
        new ArrayList<>(rolesTo), paired.approvedScopes(),
        paired.approvedScopes().union(p.scopes()),
        policy.missing(role, requested, paired.approvedScopes()), paired.client().platform(),
        p.client().platform(), paired.client().deviceFamily(), p.client().deviceFamily(),
        p.remoteAddress(), locality);
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
    boolean matched = keyMatches && paired != null;
    List<Role> approvedRoles = matched ? paired.roles() : List.of();
    ScopeSet approvedScopes = matched ? paired.approvedScopes() : null;
    List<Scope> missing =
        matched ? policy.missing(role, requested, paired.approvedScopes()) : requested.scopes();
    long pendingForMs = Math.max(0, now.toEpochMilli() - pending.createdAt().toEpochMilli());
    Duration retryAfter =
        Duration.ofMillis(Math.min(30_000, Math.max(1_000, pendingForMs / 10)));
    return new PairingRequired(
        rec.deviceId().value(), reason, pending.requestId(), change, role, requested,
        approvedRoles, approvedScopes, missing, retryAfter);
  }

  // ---------------------------------------------------------------------------------------------
  // automatic approval (R11, R13) and flood limits (R12)

  /** An automatic approval that applies: how it is recorded and which rule decided. */
  private record Auto(String via, String approver, String rule) {}

  private @Nullable Auto autoApproval(
      @Nullable PairedDevice paired, boolean keyMatches, PendingRequest q, UpgradeReason reason,
      Ctx ctx, Trail t) {
    if (keyMatches && paired != null) {
      for (Role r : q.roles()) {
        DeviceToken tk = paired.token(r);
        if (paired.roles().contains(r) && tk != null && tk.isRevoked()) {
          t.auto("R11.4", false, "no automatic approval: the " + r + " token was revoked by an"
              + " operator, and only an operator's approval restores it");
          return null;
        }
      }
    }
    if (!cfg.pairingRequired()) {
      t.auto("R13", true, "approved automatically: pairing is switched off (pairingRequired=false)");
      return new Auto("pairing-disabled", "pairing-disabled", "R13");
    }
    Set<UpgradeReason> aspects = aspects(paired, keyMatches, q, reason);
    ApprovalVerdict silent = silentVerdict(aspects, ctx);
    if (silent.applies()) {
      List<Scope> forbidden = neverSilentGrants(paired, keyMatches, q);
      if (!forbidden.isEmpty()) {
        silent = ApprovalVerdict.no("approving it would grant " + ScopeSet.of(forbidden)
            + ", which neverSilent keeps for an operator");
      }
    }
    if (silent.applies()) {
      t.auto("R11.2", true, "silent local approval applies: " + silent.reason());
      return new Auto("silent", "silent", "R11.2");
    }
    t.auto("R11.2", false, "silent local approval does not apply: " + silent.reason());
    for (StandingApproval s : cfg.standingApprovals()) {
      ApprovalVerdict v = s.check(ctx.address(), ctx.auth(), ctx.kind(), ctx.browserOrigin(),
          aspects, q.roles(), q.scopes(), policy);
      if (v.applies()) {
        t.auto("R11.3", true, "applies: " + v.reason());
        return new Auto("standing", "standing:" + s.name(), "R11.3");
      }
      t.auto("R11.3", false, "does not apply: " + v.reason());
    }
    if (cfg.standingApprovals().isEmpty()) {
      t.auto("R11.3", false, "no standing approvals are configured");
    }
    return null;
  }

  /**
   * What approving {@code q} would change for the device (R11.1): {@code not-paired}, or the
   * upgrades among role, scope and metadata.
   */
  private Set<UpgradeReason> aspects(
      @Nullable PairedDevice paired, boolean keyMatches, PendingRequest q, UpgradeReason reason) {
    if (!keyMatches || paired == null) {
      return EnumSet.of(UpgradeReason.NOT_PAIRED);
    }
    EnumSet<UpgradeReason> s = EnumSet.noneOf(UpgradeReason.class);
    if (MetadataPins.compare(paired.client(), paired.legacyMetadata(), q.client())
        == MetadataPins.Verdict.MISMATCH) {
      s.add(UpgradeReason.METADATA_UPGRADE);
    }
    List<Role> effective = paired.effectiveRoles();
    for (Role r : q.roles()) {
      if (!effective.contains(r)) {
        s.add(UpgradeReason.ROLE_UPGRADE);
      }
      if (!policy.allows(r, policy.admissibleFor(r, q.scopes()), paired.approvedScopes())) {
        s.add(UpgradeReason.SCOPE_UPGRADE);
      }
    }
    if (s.isEmpty()) {
      s.add(reason);
    }
    return s;
  }

  /**
   * The scopes of {@code neverSilent} that approving {@code q} would newly grant: implied by
   * {@code q}'s scopes for one of its roles and not already held (the role effective and the
   * scope implied by the baseline).
   */
  private List<Scope> neverSilentGrants(
      @Nullable PairedDevice paired, boolean keyMatches, PendingRequest q) {
    List<Scope> out = new ArrayList<>();
    for (Scope n : cfg.neverSilent()) {
      for (Role r : q.roles()) {
        if (!policy.admissible(r, n)
            || !policy.implies(r, n, policy.admissibleFor(r, q.scopes()))) {
          continue;
        }
        boolean held = keyMatches && paired != null && paired.effectiveRoles().contains(r)
            && policy.implies(r, n, paired.approvedScopes());
        if (!held && !out.contains(n)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  private ApprovalVerdict silentVerdict(Set<UpgradeReason> aspects, Ctx ctx) {
    Locality locality = ctx.locality().locality();
    boolean sameHost = locality == Locality.PROXIED_LOCAL && ctx.sameHostProxy();
    ApprovalVerdict last = ApprovalVerdict.no("nothing to approve");
    for (UpgradeReason r : aspects) {
      ApprovalVerdict v = SilentApproval.decide(
          locality, ctx.auth(), r, ctx.browserOrigin(), sameHost, cfg.autoApproveLocal());
      if (!v.applies()) {
        return aspects.size() > 1 ? ApprovalVerdict.no(r.wireName() + ": " + v.reason()) : v;
      }
      last = v;
    }
    return last;
  }

  /** Approves {@code q} as R6.3 and decides the connect again on the approved record (R11.1). */
  private @Nullable Step<ConnectResult> approveAndAllow(
      DeviceRecord rec, @Nullable PairedDevice paired, boolean keyMatches, Reconciled q, Auto auto,
      Role role, ScopeSet requested, ClientInfo client, @Nullable String presented, Instant now,
      Trail t) {
    Approved ap = approveEffect(rec.deviceId(), rec.paired(), q.next(), auto.via(), now, t.on);
    Verdict after = reasonFor(ap.device(), true, role, requested, client, Trail.OFF);
    if (after.reason() != null) {
      LOG.warn("automatic approval of request {} would not allow the connect of device {} ({});"
          + " leaving the request pending", q.next().requestId(), rec.deviceId(), after.reason());
      return null;
    }
    Allow al = computeAllow(ap.device(), role, requested, client, after.pin(), now, t.on);
    DeviceToken before = keyMatches && paired != null ? paired.token(role) : null;
    boolean issued = !al.token().equals(before);
    List<ResolvedRequest> resolved = new ArrayList<>(q.resolved());
    resolved.add(new ResolvedRequest(q.next().requestId(), Resolution.APPROVED, "", now));
    DeviceRecord next = new DeviceRecord(rec.deviceId(), rec.version() + 1,
        al.next().withLastSeenAt(now), null, rec.blocked(), prune(resolved, now));
    String id = rec.deviceId().value();
    List<AuditEvent> events = new ArrayList<>(3);
    lifecycleEvents(id, q, now, events);
    events.add(approvedEvent(id, q.next(), auto.approver(), auto.via(), ap, now));
    t.decide(auto.rule());
    if (t.on) {
      t.via = auto.via();
    }
    return Step.write(next, new Allowed(id, role, requested, al.token(), delivered(al, presented),
        issued), events);
  }

  private @Nullable Rejected floodLimit(DeviceRecord rec, Ctx ctx, Instant now, Trail t) {
    String address = ctx.address().address();
    IpAddress ip = IpAddress.tryParse(address).orElse(null);
    PendingCount c;
    String from = address;
    if (ip != null && !ip.isIpv4() && cfg.pendingIpv6Prefix() < ip.bits()) {
      // R12.1: IPv6 clients are counted per prefix (default /64), which one host usually holds.
      IpRange prefix = new IpRange(ip, cfg.pendingIpv6Prefix());
      c = store.countPending(prefix, now);
      from = prefix.toString();
    } else {
      c = store.countPending(address, now);
    }
    boolean reserved = reserveEligible(ctx);
    int shared = cfg.maxPending() - cfg.localPendingReserve();
    String id = rec.deviceId().value();
    String message = null;
    if (c.total() >= cfg.maxPending()) {
      message = "too many pending pairing requests (" + c.total() + ", maxPending="
          + cfg.maxPending() + "); an operator should review or reject pending requests";
    } else if (!reserved && c.total() >= shared) {
      message = "too many pending pairing requests (" + c.total() + "); the last "
          + cfg.localPendingReserve() + " of maxPending=" + cfg.maxPending()
          + " are reserved for local connections; an operator should review or reject pending"
          + " requests";
    } else if (!address.isEmpty() && c.fromAddress() >= cfg.maxPendingPerAddress()) {
      message = "too many pending pairing requests from " + from + " (" + c.fromAddress()
          + ", maxPendingPerAddress=" + cfg.maxPendingPerAddress()
          + "); an operator should review or reject pending requests";
    }
    if (message != null) {
      t.add("R12.1", "request flood limit", Status.FAIL, message);
      t.decide("R12.1");
      return new Rejected(id, ErrorCode.TOO_MANY_PENDING, message);
    }
    t.add("R12.1", "request flood limit", Status.PASS, t.on
        ? c.total() + " of " + cfg.maxPending() + " pending in total (" + (reserved
            ? "local: the reserve of " + cfg.localPendingReserve() + " is open to it"
            : "remote: at most " + shared) + "), " + c.fromAddress() + " of "
            + cfg.maxPendingPerAddress() + " from " + (address.isEmpty() ? "(unknown)" : from)
        : "");
    return null;
  }

  /**
   * Whether the connection may use the places of maxPending reserved for local connections: a
   * local class that does not rest on proxy headers alone.
   */
  private static boolean reserveEligible(Ctx ctx) {
    Locality l = ctx.locality().locality();
    return l != Locality.REMOTE && (l != Locality.PROXIED_LOCAL || ctx.sameHostProxy());
  }

  // ---------------------------------------------------------------------------------------------
  // operator actions

  /** A paired device after an approval (R6.3), and what the approval added. */
  private record Approved(PairedDevice device, List<Role> addedRoles, ScopeSet addedScopes) {}

  private Approved approveEffect(
      DeviceId deviceId, @Nullable PairedDevice current, PendingRequest p, String via, Instant now,
      boolean dry) {
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
    return new Approved(device, addedRoles, addedScopes);
  }

  private static AuditEvent approvedEvent(
      String id, PendingRequest p, String approver, String via, Approved ap, Instant now) {
    return new AuditEvent.RequestApproved(now, id, p.requestId(), approver, via,
        ap.device().roles(), ap.device().approvedScopes(), ap.addedRoles(), ap.addedScopes(),
        p.remoteAddress());
  }

  /** A new secret (never stored: only its hash is); a placeholder in a dry run. */
  private TokenSecret secret(boolean dry) {
    return TokenSecret.of(dry ? "" : Ids.tokenSecret(cfg.random()));
  }

  @Override
  public Approval approve(String requestId, Approver approver) {
    return retryByRequest(
        requestId, rec -> approveStep(rec, requestId, approver, null, clock.instant()));
  }

  @Override
  public Approval approve(String requestId, Approver approver, ScopeSet scopes) {
    return retryByRequest(
        requestId, rec -> approveStep(rec, requestId, approver, scopes, clock.instant()));
  }

  private Step<Approval> approveStep(
      DeviceRecord rec, String requestId, Approver approver, @Nullable ScopeSet only,
      Instant now) {
    PendingRequest p = rec.pending();
    if (p == null || !p.requestId().equals(requestId)) {
      ResolvedRequest r = resolvedEntry(rec, requestId);
      if (r.outcome() == Resolution.APPROVED && rec.paired() != null) {
        return Step.done(new Approval(
            requestId, rec.paired(), true, List.of(), ScopeSet.empty(), ScopeSet.empty()));
      }
      throw afterResolution(rec, r, true);
    }
    if (p.isExpired(now)) {
      throw new PairgateException(ErrorCode.EXPIRED, "request " + requestId + " expired at "
          + p.expiresAt() + "; the device must connect again to ask anew");
    }
    ScopeSet declined = ScopeSet.empty();
    if (only != null) {
      PendingRequest asked = p;
      List<String> outside = new ArrayList<>();
      for (Scope s : only) {
        boolean part = false;
        for (Role r : asked.roles()) {
          part |= policy.admissible(r, s) && policy.implies(r, s, asked.scopes());
        }
        if (!part) {
          outside.add(s.value());
        }
      }
      if (!outside.isEmpty()) {
        throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "a partial approval may only"
            + " narrow the request: " + String.join(",", outside) + " is not part of request "
            + requestId + " (it asks for " + asked.scopes() + ")");
      }
      declined = asked.scopes().minus(only);
      p = asked.withScopes(only);
    }
    List<Scope> missing = approverMissing(p, approver.scopes());
    if (!missing.isEmpty()) {
      throw new ForbiddenException(requestId, missing);
    }
    Approved ap = approveEffect(rec.deviceId(), rec.paired(), p, "operator", now, false);
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    resolved.add(new ResolvedRequest(requestId, Resolution.APPROVED, "", now));
    return Step.write(
        new DeviceRecord(rec.deviceId(), rec.version() + 1, ap.device(), null, rec.blocked(),
            prune(resolved, now)),
        new Approval(
            requestId, ap.device(), false, ap.addedRoles(), ap.addedScopes(), declined),
        List.of(approvedEvent(rec.deviceId().value(), p, approver.name(), "operator", ap, now)));
  }

  /** The scopes an approver lacks to approve {@code p} (R6.2). */
  private List<Scope> approverMissing(PendingRequest p, ScopeSet held) {
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

  @Override
  public PendingRequest reject(String requestId) {
    return retryByRequest(requestId, rec -> {
      Instant now = clock.instant();
      PendingRequest p = rec.pending();
      if (p == null || !p.requestId().equals(requestId)) {
        throw afterResolution(rec, resolvedEntry(rec, requestId), false);
      }
      if (p.isExpired(now)) {
        throw new PairgateException(ErrorCode.EXPIRED, "request " + requestId + " expired at "
            + p.expiresAt() + "; there is nothing left to reject");
      }
      List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
      resolved.add(new ResolvedRequest(requestId, Resolution.REJECTED, "", now));
      return Step.write(
          new DeviceRecord(rec.deviceId(), rec.version() + 1, rec.paired(), null, rec.blocked(),
              prune(resolved, now)),
          p,
          List.of(new AuditEvent.RequestRejected(now, rec.deviceId().value(), requestId)));
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
          paired.summary(),
          List.of(new AuditEvent.DeviceRemoved(
              now, deviceId.value(), paired.roles(), pendingId(rec))));
    });
  }

  private static String pendingId(DeviceRecord rec) {
    PendingRequest p = rec.pending();
    return p == null ? "" : p.requestId();
  }

  @Override
  public void block(DeviceId deviceId) {
    retry(deviceId, rec -> {
      if (rec.blocked() && rec.pending() == null) {
        return Step.done(Boolean.FALSE);
      }
      Instant now = clock.instant();
      List<AuditEvent> events = rec.blocked()
          ? List.of()
          : List.of(new AuditEvent.DeviceBlocked(now, deviceId.value(), pendingId(rec)));
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, rec.paired(), null, true,
              dropPending(rec, now)),
          Boolean.TRUE, events);
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
          Boolean.TRUE,
          List.of(new AuditEvent.DeviceUnblocked(clock.instant(), deviceId.value())));
    });
  }

  @Override
  public IssuedToken rotate(DeviceId deviceId, Role role) {
    return rotate(deviceId, role, Optional.empty());
  }

  @Override
  public IssuedToken rotate(DeviceId deviceId, Role role, ScopeSet scopes) {
    return rotate(deviceId, role, Optional.of(scopes));
  }

  private IssuedToken rotate(DeviceId deviceId, Role role, Optional<ScopeSet> scopes) {
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
      TokenSecret secret = secret(false);
      DeviceToken token = new DeviceToken(role, target, secret.hash(),
          old == null ? now : old.createdAt(), now, null, old == null ? null : old.lastUsedAt());
      Map<Role, DeviceToken> tokens = new HashMap<>(paired.tokens());
      tokens.put(role, token);
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, paired.withTokens(tokens), rec.pending(),
              rec.blocked(), rec.resolved()),
          new IssuedToken(deviceId, token, secret),
          List.of(new AuditEvent.TokenRotated(now, deviceId.value(), role, target)));
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
      Instant now = clock.instant();
      DeviceToken revoked = new DeviceToken(role, t.scopes(), t.hash(), t.createdAt(),
          t.rotatedAt(), now, t.lastUsedAt());
      Map<Role, DeviceToken> tokens = new HashMap<>(paired.tokens());
      tokens.put(role, revoked);
      return Step.write(
          new DeviceRecord(deviceId, rec.version() + 1, paired.withTokens(tokens), rec.pending(),
              rec.blocked(), rec.resolved()),
          revoked.summary(),
          List.of(new AuditEvent.TokenRevoked(now, deviceId.value(), role)));
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
          next.summary(),
          List.of(new AuditEvent.DeviceRenamed(clock.instant(), deviceId.value(), label)));
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
    // R7: the secret first, so only its holder learns that the role was revoked.
    if (!t.matches(token)) {
      return TokenCheck.MISMATCH;
    }
    if (t.isRevoked()) {
      return TokenCheck.REVOKED;
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
  public Optional<PendingRequest> pendingRequestOf(DeviceId deviceId) {
    Instant now = clock.instant();
    return store.load(deviceId).map(DeviceRecord::pending).filter(p -> !p.isExpired(now));
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
  // explaining stored state

  @Override
  public RequestExplanation explainRequest(String requestId) {
    Instant now = clock.instant();
    Optional<DeviceRecord> found = store.findByRequestId(requestId);
    if (found.isEmpty()) {
      return RequestExplanation.unknown(requestId);
    }
    DeviceRecord rec = found.get();
    PendingRequest p = rec.pending();
    if (p != null && p.requestId().equals(requestId)) {
      return explainPending(rec, p, now);
    }
    for (ResolvedRequest r : rec.resolved()) {
      if (r.requestId().equals(requestId)) {
        RequestExplanation.State status = switch (r.outcome()) {
          case APPROVED -> RequestExplanation.State.APPROVED;
          case REJECTED -> RequestExplanation.State.REJECTED;
          case SUPERSEDED -> RequestExplanation.State.SUPERSEDED;
          case EXPIRED -> RequestExplanation.State.EXPIRED;
        };
        String successor = r.outcome() != Resolution.SUPERSEDED
            ? "" : p != null ? p.requestId() : r.successorRequestId();
        PairedDevice paired = rec.paired();
        return new RequestExplanation(requestId, status, rec.deviceId(), successor, null,
            paired == null ? List.of() : paired.roles(),
            paired == null ? null : paired.approvedScopes(), List.of(), List.of(), List.of(), null,
            Map.of(), List.of(), ScopeSet.empty(), ScopeSet.empty(), false);
      }
    }
    return RequestExplanation.unknown(requestId);
  }

  private RequestExplanation explainPending(DeviceRecord rec, PendingRequest p, Instant now) {
    PairedDevice old = rec.paired();
    boolean keyMatches = old != null && old.publicKey().equals(p.publicKey());
    List<Role> missingRoles = new ArrayList<>();
    List<Scope> missingScopes = new ArrayList<>();
    for (Role r : p.roles()) {
      if (!keyMatches || !old.effectiveRoles().contains(r)) {
        missingRoles.add(r);
      }
      ScopeSet forRole = policy.admissibleFor(r, p.scopes());
      List<Scope> miss = keyMatches
          ? policy.missing(r, forRole, old.approvedScopes()) : forRole.scopes();
      for (Scope s : miss) {
        if (!missingScopes.contains(s)) {
          missingScopes.add(s);
        }
      }
    }
    Approved ap = approveEffect(rec.deviceId(), old, p, "operator", now, true);
    Map<Role, ScopeSet> tokens = new TreeMap<>();
    for (Role r : p.roles()) {
      DeviceToken t = ap.device().token(r);
      tokens.put(r, t == null ? ScopeSet.empty() : t.scopes());
    }
    ScopeSet needs = policy.admissibleFor(Role.OPERATOR, p.scopes());
    for (Role r : p.roles()) {
      if (!r.equals(Role.OPERATOR)) {
        needs = needs.union(ScopeSet.of(List.of(Scope.OPERATOR_ADMIN)));
      }
    }
    return new RequestExplanation(
        p.requestId(),
        p.isExpired(now) ? RequestExplanation.State.EXPIRED : RequestExplanation.State.PENDING,
        rec.deviceId(), "", p, keyMatches ? old.roles() : List.of(),
        keyMatches ? old.approvedScopes() : null, missingRoles, missingScopes,
        ap.device().roles(), ap.device().approvedScopes(), tokens, ap.addedRoles(),
        ap.addedScopes(), needs, old != null && !keyMatches);
  }

  @Override
  public DeviceExplanation explainDevice(DeviceId deviceId) {
    Instant now = clock.instant();
    Optional<DeviceRecord> found = store.load(deviceId);
    if (found.isEmpty()) {
      return new DeviceExplanation(deviceId, false, false, null, List.of(), List.of(), List.of(),
          List.of(), null, List.of());
    }
    DeviceRecord rec = found.get();
    PairedDevice paired = rec.paired();
    List<Role> revoked = new ArrayList<>();
    List<Role> noToken = new ArrayList<>();
    List<Role> beyond = new ArrayList<>();
    if (paired != null) {
      for (Role r : paired.roles()) {
        DeviceToken t = paired.token(r);
        if (t == null) {
          noToken.add(r);
        } else {
          if (t.isRevoked()) {
            revoked.add(r);
          }
          if (!policy.allows(r, t.scopes(), paired.approvedScopes())) {
            beyond.add(r);
          }
        }
      }
    }
    PendingRequest p = rec.pending();
    return new DeviceExplanation(deviceId, true, rec.blocked(),
        paired == null ? null : paired.summary(),
        paired == null ? List.of() : paired.effectiveRoles(), revoked, noToken, beyond,
        p == null ? null : explainPending(rec, p, now), rec.resolved());
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

  /**
   * The resolved list with the pending request (if any) recorded as rejected, or as expired when
   * it had already expired: a remembered id keeps the terminal state it reached first (R8.2).
   */
  private List<ResolvedRequest> dropPending(DeviceRecord rec, Instant now) {
    List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
    PendingRequest p = rec.pending();
    if (p != null) {
      resolved.add(new ResolvedRequest(p.requestId(),
          p.isExpired(now) ? Resolution.EXPIRED : Resolution.REJECTED, "", now));
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
  private static PairgateException afterResolution(
      DeviceRecord rec, ResolvedRequest r, boolean approving) {
    return switch (r.outcome()) {
      case SUPERSEDED -> new SupersededException(r.requestId(),
          rec.pending() != null ? rec.pending().requestId() : r.successorRequestId());
      case EXPIRED -> new PairgateException(ErrorCode.EXPIRED,
          "request " + r.requestId() + " expired; the device must connect again to ask anew");
      case REJECTED -> unknownRequest(r.requestId(), " (it was rejected or dropped)");
      case APPROVED -> unknownRequest(r.requestId(), approving
          ? " (it was approved, but the device is no longer paired)"
          : " (it was already approved; remove the device to undo that)");
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

  /** A claimed device id safe for logs: as is when well-formed, else sanitized and shortened. */
  private static String safeId(String claimed) {
    if (DeviceId.isWellFormed(claimed)) {
      return claimed;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < claimed.length() && i < 64; i++) {
      char c = claimed.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c); // C1 too: 0x9b is a terminal CSI
    }
    return claimed.length() > 64 ? b.append("...").toString() : b.toString();
  }

  /** Delivers events to every listener; a failing listener is logged and skipped (R14). */
  private void fire(List<AuditEvent> events) {
    for (AuditEvent e : events) {
      for (AuditListener l : cfg.auditListeners()) {
        try {
          l.onEvent(e);
        } catch (RuntimeException ex) {
          LOG.warn("audit listener {} failed on a {} event: {}", l, e.type(), ex.toString());
        }
      }
    }
  }

  /**
   * What one attempt on a record snapshot decided: a result, maybe a record to write, and the
   * audit events to deliver once the write (if any) committed.
   */
  private record Step<T>(@Nullable DeviceRecord write, T result, List<AuditEvent> events) {
    static <T> Step<T> done(T result) {
      return new Step<>(null, result, List.of());
    }

    static <T> Step<T> write(DeviceRecord next, T result) {
      return new Step<>(next, result, List.of());
    }

    static <T> Step<T> write(DeviceRecord next, T result, List<AuditEvent> events) {
      return new Step<>(next, result, events);
    }
  }

  private <T> T retry(DeviceId id, Function<DeviceRecord, Step<T>> body) {
    for (int i = 0; i < cfg.maxConflictRetries(); i++) {
      DeviceRecord rec = store.load(id).orElseGet(() -> DeviceRecord.absent(id));
      Step<T> step = body.apply(rec);
      if (step.write() == null || store.compareAndSet(rec.version(), step.write())) {
        fire(step.events());
        return step.result();
      }
      backOff(i);
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
        fire(step.events());
        return step.result();
      }
      backOff(i);
    }
    throw new StoreException("gave up after " + cfg.maxConflictRetries()
        + " conflicting concurrent changes to request " + requestId, true);
  }

  /**
   * After a lost compare-and-set: retry at once the first times (the usual case is one racing
   * connect), then pause a random, growing fraction of a millisecond so that many writers on one
   * hot record stop wasting whole attempts on each other. The jitter is not drawn from the
   * service's {@link RandomSource}, so it never changes what a seeded run produces.
   */
  private static void backOff(int attempt) {
    if (attempt >= 2) {
      long maxNanos = Math.min(1_000_000L, 20_000L << Math.min(attempt - 2, 6));
      java.util.concurrent.locks.LockSupport.parkNanos(
          java.util.concurrent.ThreadLocalRandom.current().nextLong(maxNanos));
    }
  }
}
