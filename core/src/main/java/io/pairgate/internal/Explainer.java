package io.pairgate.internal;

import io.pairgate.RequestId;
import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.DeviceExplanation;
import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.Explanation;
import io.pairgate.Explanation.Check;
import io.pairgate.Explanation.Status;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.RequestExplanation;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.internal.Approvals.ApprovedDevice;
import io.pairgate.internal.AutoApprovals.AutoGrant;
import io.pairgate.internal.AutoApprovals.AutoNote;
import io.pairgate.internal.ConnectDecision.Allow;
import io.pairgate.internal.ConnectDecision.PairingPath;
import io.pairgate.internal.ConnectDecision.Reject;
import io.pairgate.internal.ConnectDecision.RequirePairing;
import io.pairgate.internal.FloodLimits.FloodCount;
import io.pairgate.policy.ClientAddress;
import io.pairgate.policy.Locality;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Owns the explanations (R15). {@code explain} runs the same gate and the same
 * {@link ConnectRules#decide} as {@code connect} and renders that decision as a rule trail; it
 * applies nothing (the challenge is left unused, nothing is minted, written or fired).
 * {@code explainRequest} and {@code explainDevice} describe stored state.
 */
final class Explainer {
  private final EngineSettings settings;
  private final PairingStore store;
  private final ScopePolicy policy;
  private final AttemptGate gate;
  private final ConnectRules rules;
  private final FloodLimits flood;
  private final Approvals approvals;

  Explainer(EngineSettings settings, AttemptGate gate, ConnectRules rules, FloodLimits flood,
      Approvals approvals) {
    this.settings = settings;
    this.store = settings.store();
    this.policy = settings.policy();
    this.gate = gate;
    this.rules = rules;
    this.flood = flood;
    this.approvals = approvals;
  }

  // ---------------------------------------------------------------------------------------------
  // explain(attempt)

  /** The trail being rendered and the fields of the explanation it fills in. */
  private static final class Rendering {
    final List<Check> checks = new ArrayList<>();
    final List<String> auto = new ArrayList<>();
    List<Role> approvedRoles = List.of();
    @Nullable ScopeSet approvedScopes;
    List<Scope> missing = List.of();
    @Nullable UpgradeReason reason;
    @Nullable RequestChange change;
    @Nullable RequestId requestId;
    String via = "";

    void add(String rule, String name, Status status, String detail) {
      checks.add(new Check(rule, name, status, detail));
    }
  }

  Explanation explain(ConnectAttempt a, Instant now) {
    AttemptFacts facts = new AttemptFacts(a, settings);
    Rendering t = new Rendering();
    if (!settings.pairingRequired()) {
      t.add("R13", "pairing switched off", Status.INFO, "pairingRequired(false): a device with a"
          + " valid proof is approved automatically (approvedVia=pairing-disabled); blocks and"
          + " revoked tokens still apply");
    }
    ClientAddress address = facts.address();
    t.add("R10.3", "client address", Status.INFO, address.describe());
    Locality.Classification loc = facts.locality();
    t.add("R10.5", "locality", Status.INFO, loc.locality().wireName() + ": " + loc.reason());
    GateResult g = gate.preview(a, facts, now);
    gateChecks(facts, g, t);
    ConnectResult.Kind outcome;
    String rule;
    ErrorCode rejection = null;
    if (g instanceof GateResult.Stopped s) {
      outcome = ConnectResult.Kind.REJECTED;
      rule = s.rule();
      rejection = s.code();
    } else {
      GateResult.Passed at = (GateResult.Passed) g;
      DeviceRecord rec = store.load(at.id()).orElseGet(() -> DeviceRecord.absent(at.id()));
      ConnectDecision d = rules.decide(rec, at, facts, now, () -> flood.count(facts, now));
      decisionChecks(rec, at, facts, d, t);
      rule = d.rule();
      if (d instanceof Reject r) {
        outcome = ConnectResult.Kind.REJECTED;
        rejection = r.code();
      } else {
        outcome = d instanceof Allow
            ? ConnectResult.Kind.ALLOWED : ConnectResult.Kind.PAIRING_REQUIRED;
      }
    }
    return new Explanation(
        a.deviceId(), outcome, rule, rejection, t.reason, t.change, t.requestId, t.via, a.role(),
        a.scopes(), t.approvedRoles, t.approvedScopes, t.missing, address, loc.locality(),
        loc.reason(), t.auto, settings.pairingRequired(), t.checks);
  }

  /** The checks of the gate (R16, R1.3, R3.1), up to the one that stopped the attempt. */
  private static void gateChecks(AttemptFacts facts, GateResult g, Rendering t) {
    GateResult.Stopped s = g instanceof GateResult.Stopped x ? x : null;
    String at = s == null ? "" : s.rule();
    if (at.equals("R16.1") || at.equals("R16.2")) {
      t.add(at, "input limits", Status.FAIL, s.message());
      return;
    }
    t.add("R16.1", "input limits and signed-field characters", Status.PASS, "");
    if (at.equals("R16.3")) {
      t.add("R16.3", "forwarding headers", Status.FAIL, s.message());
      return;
    }
    boolean untrusted = facts.address().untrustedForwarding();
    t.add("R16.3", "forwarding headers", untrusted ? Status.INFO : Status.PASS, untrusted
        ? "forwarding headers from an untrusted peer are ignored (rejectUntrustedForwarded is off)"
        : "");
    if (at.equals("R16.4")) {
      t.add("R16.4", "browser origin", Status.FAIL, s.message());
      return;
    }
    if (facts.browserOrigin()) {
      t.add("R16.4", "browser origin", Status.PASS, "Origin is allowed");
    } else {
      t.add("R16.4", "browser origin", Status.SKIP, "no Origin: not a browser");
    }
    if (at.startsWith("R1.")) {
      t.add(at, "proof of possession", Status.FAIL, s.code().wireName() + ": " + s.message());
      return;
    }
    t.add("R1.3", "proof of possession", Status.PASS,
        "signature verified; the challenge nonce was left unused (dry run)");
    if (at.equals("R3.1")) {
      t.add("R3.1", "scopes well-formed and admissible", Status.FAIL, s.message());
      return;
    }
    t.add("R3.1", "scopes well-formed and admissible", Status.PASS, "");
  }

  /** The checks of the decision (R4, R5, R11–R13), rendered from the decision itself. */
  private void decisionChecks(DeviceRecord rec, GateResult.Passed at, AttemptFacts facts,
      ConnectDecision d, Rendering t) {
    PairedDevice paired = rec.paired();
    boolean keyMatches = paired != null && paired.publicKey().equals(at.key());
    Role role = at.role();
    if (keyMatches) {
      t.approvedRoles = paired.roles();
      t.approvedScopes = paired.approvedScopes();
      t.missing = policy.missing(role, at.requested(), paired.approvedScopes());
    } else {
      t.missing = at.requested().scopes();
    }
    if (d instanceof Reject r && r.rule().equals("R4.1")) {
      t.add("R4.1", "not blocked", Status.FAIL, r.detail());
      return;
    }
    t.add("R4.1", "not blocked", Status.PASS, "");
    AuthMethod auth = at.attempt().auth();
    if (d instanceof Reject r && r.rule().equals("R4.2")) {
      t.add("R4.2", "device token", Status.FAIL, r.detail());
      return;
    }
    if (auth == AuthMethod.DEVICE_TOKEN) {
      t.add("R4.2", "device token", Status.PASS, "");
    } else {
      t.add("R4.2", "device token", Status.SKIP, "auth is " + auth.wireName());
    }
    PairingPath path = d instanceof Allow a ? a.pairing()
        : d instanceof RequirePairing p ? p.pairing() : ((Reject) d).pairing();
    MetadataPins.Verdict pin = d instanceof Allow a ? a.pin() : requireNonNull(path).pin();
    gapChecks(keyMatches ? paired : null, paired, role, at, pin,
        path == null ? null : path.reason(), t);
    if (path == null) {
      Allow a = (Allow) d;
      if (paired != null && !a.tokens().changes(paired)) {
        t.add("R4.9", "allowed without a write", Status.INFO, "the device token is reused");
      } else {
        t.add("R4.8", "allowed", Status.INFO, a.issued()
            ? "the device token would be reissued or widened within the baseline"
            : "the metadata pin would be refreshed");
      }
      return;
    }
    t.reason = path.reason();
    RequestPlan q = path.plan();
    t.requestId = q.mintsId() ? null : q.next().requestId();
    t.add("R5", "pending request", Status.INFO, describe(q));
    for (AutoNote n : path.notes()) {
      t.auto.add(n.line());
      t.add(n.rule(), "automatic approval", n.applies() ? Status.PASS : Status.INFO, n.line());
    }
    if (d instanceof Allow a) {
      AutoGrant grant = requireNonNull(a.grant());
      t.via = grant.via();
      return;
    }
    if (d instanceof RequirePairing) {
      t.change = q.change();
    }
    FloodCount c = path.flood();
    if (d instanceof Reject r) {
      t.add("R12.1", "request flood limit", Status.FAIL, r.detail());
    } else if (c != null) {
      t.add("R12.1", "request flood limit", Status.PASS, flood.within(c, facts));
    } else {
      t.add("R12.1", "request flood limit", Status.SKIP,
          "only a connect that creates a new request is limited");
    }
  }

  /** R4.3–R4.6 in order, up to the one that failed ({@code reason}), or all passed. */
  private void gapChecks(@Nullable PairedDevice matched, @Nullable PairedDevice paired, Role role,
      GateResult.Passed at, MetadataPins.Verdict pin, @Nullable UpgradeReason reason,
      Rendering t) {
    if (reason == UpgradeReason.NOT_PAIRED || matched == null) {
      t.add("R4.3", "paired with this key", Status.FAIL,
          paired == null ? "the device is not paired" : "the device is paired with another key");
      return;
    }
    t.add("R4.3", "paired with this key", Status.PASS, "");
    ClientInfo client = at.attempt().client();
    if (reason == UpgradeReason.METADATA_UPGRADE) {
      t.add("R4.4", "pinned platform and device family", Status.FAIL,
          "pinned platform=" + quote(matched.client().platform()) + " deviceFamily="
              + quote(matched.client().deviceFamily()) + ", connect sent platform="
              + quote(client.platform()) + " deviceFamily=" + quote(client.deviceFamily()));
      return;
    }
    t.add("R4.4", "pinned platform and device family", Status.PASS,
        pin == MetadataPins.Verdict.REFRESH ? "tolerated change; the pin is refreshed" : "");
    if (reason == UpgradeReason.ROLE_UPGRADE) {
      t.add("R4.5", "role is effective", Status.FAIL, role + " is not among the effective roles "
          + matched.effectiveRoles() + roleDetail(matched, role));
      return;
    }
    t.add("R4.5", "role is effective", Status.PASS, "");
    if (reason == UpgradeReason.SCOPE_UPGRADE) {
      t.add("R4.6", "scopes within the approved baseline", Status.FAIL,
          "missing " + policy.missing(role, at.requested(), matched.approvedScopes())
              + " from the baseline [" + matched.approvedScopes() + "]");
      return;
    }
    t.add("R4.6", "scopes within the approved baseline", Status.PASS, "");
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

  private static String describe(RequestPlan q) {
    PendingRequest expired = q.expired();
    String ex = expired == null ? "" : "expired request " + expired.requestId()
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

  // ---------------------------------------------------------------------------------------------
  // explaining stored state

  RequestExplanation explainRequest(RequestId requestId, Instant now) {
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
        RequestId successor = r.outcome() != Resolution.SUPERSEDED
            ? null : p != null ? p.requestId() : r.successorRequestId();
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
    ApprovedDevice ap = approvals.approve(rec.deviceId(), old, p, "operator", now);
    Map<Role, ScopeSet> tokens = new TreeMap<>();
    for (Role r : p.roles()) {
      DeviceToken t = ap.device().token(r);
      tokens.put(r, t == null ? ScopeSet.empty() : t.scopes());
    }
    return new RequestExplanation(
        p.requestId(),
        p.isExpired(now) ? RequestExplanation.State.EXPIRED : RequestExplanation.State.PENDING,
        rec.deviceId(), null, p, keyMatches ? old.roles() : List.of(),
        keyMatches ? old.approvedScopes() : null, missingRoles, missingScopes,
        ap.device().roles(), ap.device().approvedScopes(), tokens, ap.addedRoles(),
        ap.addedScopes(), approvals.approverNeeds(p), old != null && !keyMatches);
  }

  DeviceExplanation explainDevice(DeviceId deviceId, Instant now) {
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
}
