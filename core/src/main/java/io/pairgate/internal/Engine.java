package io.pairgate.internal;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.Challenge;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceExplanation;
import io.pairgate.DeviceId;
import io.pairgate.Explanation;
import io.pairgate.IssuedToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairingListing;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.RequestExplanation;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.TokenCheck;
import io.pairgate.TokenSummary;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link PairingService}: wiring only. It owns no rule; it builds the parts from the
 * {@link EngineSettings} and hands each call to the part that owns it. A connect is one straight
 * line: attempt → {@link AttemptGate} (admission, proof, validation) → record →
 * {@link ConnectRules} (the decision, a value) → {@link Transactor} (the effects) → result.
 */
public final class Engine implements PairingService {
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.PairingService");

  private final EngineSettings settings;
  private final PairingStore store;
  private final Clock clock;
  private final ScopePolicy policy;
  private final AttemptGate gate;
  private final TokenRules tokens;
  private final Transactor tx;
  private final OperatorActions operator;
  private final Explainer explainer;

  /** Wires the parts from validated settings; logs a warning when pairing is switched off. */
  public Engine(EngineSettings settings) {
    this.settings = settings;
    this.store = settings.store();
    this.clock = settings.clock();
    this.policy = settings.policy();
    this.gate = new AttemptGate(settings);
    this.tokens = new TokenRules(policy);
    Approvals approvals = new Approvals(policy);
    FloodLimits flood = new FloodLimits(settings);
    RequestHistory history = new RequestHistory(settings);
    ConnectRules rules = new ConnectRules(
        settings, tokens, approvals, new AutoApprovals(settings), flood);
    this.tx = new Transactor(settings, rules, flood, history);
    this.operator = new OperatorActions(settings, tx, approvals, history);
    this.explainer = new Explainer(settings, gate, rules, flood, approvals);
    if (!settings.pairingRequired()) {
      LOG.warn("pairing is switched off (pairingRequired=false): every device with a valid proof is"
          + " approved automatically with the role and scopes it asks for"
          + " (approvedVia=pairing-disabled); use this only on a private, trusted network");
    }
    for (IpRange r : settings.trustedProxies().ranges()) {
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
    return gate.issueChallenge();
  }

  @Override
  public ConnectResult connect(ConnectAttempt attempt) {
    Instant now = clock.instant();
    AttemptFacts facts = new AttemptFacts(attempt, settings);
    GateResult checked = gate.pass(attempt, facts, now);
    if (checked instanceof GateResult.Passed at) {
      return tx.connect(at, facts, now);
    }
    return tx.stopped((GateResult.Stopped) checked, facts, now);
  }

  @Override
  public Explanation explain(ConnectAttempt attempt) {
    return explainer.explain(attempt, clock.instant());
  }

  @Override
  public RequestExplanation explainRequest(RequestId requestId) {
    return explainer.explainRequest(requestId, clock.instant());
  }

  @Override
  public DeviceExplanation explainDevice(DeviceId deviceId) {
    return explainer.explainDevice(deviceId, clock.instant());
  }

  @Override
  public Approval approve(RequestId requestId, Approver approver) {
    return operator.approve(requestId, approver, null);
  }

  @Override
  public Approval approve(RequestId requestId, Approver approver, ScopeSet scopes) {
    return operator.approve(requestId, approver, scopes);
  }

  @Override
  public PendingRequest reject(RequestId requestId) {
    return operator.reject(requestId);
  }

  @Override
  public PairedDeviceSummary remove(DeviceId deviceId) {
    return operator.remove(deviceId);
  }

  @Override
  public void block(DeviceId deviceId) {
    operator.block(deviceId);
  }

  @Override
  public void unblock(DeviceId deviceId) {
    operator.unblock(deviceId);
  }

  @Override
  public IssuedToken rotate(DeviceId deviceId, Role role) {
    return operator.rotate(deviceId, role, Optional.empty());
  }

  @Override
  public IssuedToken rotate(DeviceId deviceId, Role role, ScopeSet scopes) {
    return operator.rotate(deviceId, role, Optional.of(scopes));
  }

  @Override
  public TokenSummary revoke(DeviceId deviceId, Role role) {
    return operator.revoke(deviceId, role);
  }

  @Override
  public PairedDeviceSummary rename(DeviceId deviceId, String label) {
    return operator.rename(deviceId, label);
  }

  @Override
  public TokenCheck verifyToken(DeviceId deviceId, Role role, String token, ScopeSet requested) {
    PairedDevice paired = store.load(deviceId).map(DeviceRecord::paired).orElse(null);
    return paired == null ? TokenCheck.NOT_PAIRED : tokens.check(paired, role, token, requested);
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
  public Optional<PendingRequest> pendingRequest(RequestId requestId) {
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
}
