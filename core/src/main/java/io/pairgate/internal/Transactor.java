package io.pairgate.internal;

import io.pairgate.RequestId;
import io.pairgate.ConnectResult;
import io.pairgate.ConnectResult.Allowed;
import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.Rejected;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.DeviceId;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.StoreException;
import io.pairgate.TokenSecret;
import io.pairgate.audit.AuditEvent;
import io.pairgate.audit.AuditListener;
import io.pairgate.internal.AutoApprovals.AutoGrant;
import io.pairgate.internal.ConnectDecision.Allow;
import io.pairgate.internal.ConnectDecision.PairingPath;
import io.pairgate.internal.ConnectDecision.Reject;
import io.pairgate.internal.ConnectDecision.RequirePairing;
import io.pairgate.internal.FloodLimits.FloodCount;
import io.pairgate.internal.TokenRules.TokenPlan;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every effect (R9, R14): the compare-and-set write with its retries, minting request ids
 * and token secrets, the lastSeen touch, the one count of pending requests per connect, and the
 * delivery of audit events after a commit. On a lost compare-and-set it reloads the record and
 * recomputes only the pure decision; nothing else runs again.
 */
final class Transactor {
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.PairingService");

  private final EngineSettings settings;
  private final PairingStore store;
  private final ConnectRules rules;
  private final FloodLimits flood;
  private final RequestHistory history;

  Transactor(EngineSettings settings, ConnectRules rules, FloodLimits flood,
      RequestHistory history) {
    this.settings = settings;
    this.store = settings.store();
    this.rules = rules;
    this.flood = flood;
    this.history = history;
  }

  // ---------------------------------------------------------------------------------------------
  // connect

  /** Fires the rejection of an attempt stopped before its record was read. */
  ConnectResult stopped(GateResult.Stopped s, AttemptFacts facts, Instant now) {
    return rejected(new Rejected(s.deviceId(), s.code(), s.message()), facts, now);
  }

  /** Decides {@code at} on the device's record and applies the decision: one straight line. */
  ConnectResult connect(GateResult.Passed at, AttemptFacts facts, Instant now) {
    // R12.1 exact under concurrency: a connect that counts (it would create a request) counts
    // under the store's admission lock and holds it until its write committed; the other
    // connects never take it
    FloodLimits.Admission admission = flood.admission();
    try {
      Supplier<FloodCount> counts = once(() -> admission.count(facts, now));
      for (int i = 0; i < settings.maxConflictRetries(); i++) {
        DeviceRecord rec = store.load(at.id()).orElseGet(() -> DeviceRecord.absent(at.id()));
        ConnectDecision decision = rules.decide(rec, at, facts, now, counts);
        WriteStep<ConnectResult> step = materialize(rec, at, facts, decision, now);
        if (step.write() == null || store.compareAndSet(rec.version(), step.write())) {
          admission.close();
          return committed(rec, at, facts, decision, step, now);
        }
        backOff(i);
      }
      throw gaveUp("device " + at.id());
    } finally {
      admission.close();
    }
  }

  private ConnectResult committed(DeviceRecord rec, GateResult.Passed at, AttemptFacts facts,
      ConnectDecision decision, WriteStep<ConnectResult> step, Instant now) {
    if (decision instanceof RequirePairing rp && rp.grantFellShort()) {
      LOG.warn("automatic approval of request {} would not allow the connect of device {} ({});"
          + " leaving the request pending", rp.pairing().plan().next().requestId(), at.id(),
          rp.pairing().reason());
    }
    PairedDevice paired = rec.paired();
    if (decision instanceof Allow a && a.grant() == null && paired != null
        && !a.tokens().changes(paired)) {
      Instant seen = paired.lastSeenAt();
      if (seen == null || !seen.plus(settings.touchInterval()).isAfter(now)) {
        store.touch(rec.deviceId(), at.role(), now);
      }
    }
    fire(step.events());
    return step.result() instanceof Rejected r ? rejected(r, facts, now) : step.result();
  }

  private ConnectResult rejected(Rejected r, AttemptFacts facts, Instant now) {
    fire(List.of(new AuditEvent.ConnectRejected(now, AttemptGate.safeId(r.deviceId()), r.code(),
        r.message(), facts.address().address())));
    return r;
  }

  /** The record to write, the result and the events of {@code decision}; mints what it needs. */
  private WriteStep<ConnectResult> materialize(DeviceRecord rec, GateResult.Passed at,
      AttemptFacts facts, ConnectDecision decision, Instant now) {
    String id = rec.deviceId().value();
    if (decision instanceof Reject r) {
      return WriteStep.done(new Rejected(id, r.code(), r.message()));
    }
    if (decision instanceof Allow a) {
      return a.grant() == null ? allow(rec, at, a, now) : autoApprove(rec, at, a, now);
    }
    RequirePairing p = (RequirePairing) decision;
    RequestPlan q = named(p.pairing().plan(), now);
    PairingRequired result = pairingRequired(rec, at, p.pairing().reason(), q, now);
    if (q.change() == RequestChange.UNCHANGED) {
      return WriteStep.done(result);
    }
    List<AuditEvent> events = new ArrayList<>(3);
    lifecycleEvents(id, q, now, events);
    events.add(q.change() == RequestChange.REFRESHED
        ? new AuditEvent.RequestRefreshed(now, id, q.next().requestId(), q.next().expiresAt())
        : requestedEvent(rec, at, facts, p.pairing().reason(), q.next(), now));
    return WriteStep.write(new DeviceRecord(rec.deviceId(), rec.version() + 1, rec.paired(),
        q.next(), rec.blocked(), history.prune(q.resolved(), now)), result, events);
  }

  /** An allowed connect: the token reused (no write), or grown, or minted (R4.8). */
  private WriteStep<ConnectResult> allow(
      DeviceRecord rec, GateResult.Passed at, Allow a, Instant now) {
    TokenSecret minted = a.tokens().mint() ? secret() : null;
    TokenPlan plan = minted == null ? a.tokens() : a.tokens().withHash(minted.hash());
    Allowed result = allowed(rec.deviceId().value(), a, plan, minted, at);
    PairedDevice paired = rec.paired();
    if (paired == null || !plan.changes(paired)) {
      return WriteStep.done(result);
    }
    return WriteStep.write(new DeviceRecord(rec.deviceId(), rec.version() + 1,
        plan.next().withLastSeenAt(now), rec.pending(), rec.blocked(), rec.resolved()),
        result, List.of());
  }

  /** A connect allowed by an automatic approval: the request resolved as approved (R11.1). */
  private WriteStep<ConnectResult> autoApprove(
      DeviceRecord rec, GateResult.Passed at, Allow a, Instant now) {
    String id = rec.deviceId().value();
    PairingPath path = required(a.pairing());
    AutoGrant grant = required(a.grant());
    RequestPlan q = named(path.plan(), now);
    TokenSecret minted = a.tokens().mint() ? secret() : null;
    TokenPlan plan = minted == null ? a.tokens() : a.tokens().withHash(minted.hash());
    List<AuditEvent> events = new ArrayList<>(3);
    lifecycleEvents(id, q, now, events);
    events.add(Approvals.approvedEvent(id, q.next(), grant.approver(), grant.via(),
        required(a.approved()), now));
    DeviceRecord next = new DeviceRecord(rec.deviceId(), rec.version() + 1,
        plan.next().withLastSeenAt(now), null, rec.blocked(),
        history.plus(q.resolved(), q.next().requestId(), Resolution.APPROVED, now));
    return WriteStep.write(next, allowed(id, a, plan, minted, at), events);
  }

  private RequestPlan named(RequestPlan q, Instant now) {
    return q.mintsId() ? q.withId(new RequestId(Ids.uuid(settings.random())), now) : q;
  }

  private TokenSecret secret() {
    return TokenSecret.of(Ids.tokenSecret(settings.random()));
  }

  /**
   * The allowed result: it delivers the secret minted, else the one the client authenticated with
   * if it is the token's; nothing when an existing token was reused under other auth (only its
   * hash is stored).
   */
  private static Allowed allowed(String id, Allow a, TokenPlan plan, @Nullable TokenSecret minted,
      GateResult.Passed at) {
    String presented = TokenRules.presented(at.attempt());
    Optional<TokenSecret> delivered = minted != null ? Optional.of(minted)
        : presented != null && plan.token().matches(presented)
            ? Optional.of(TokenSecret.of(presented)) : Optional.empty();
    return new Allowed(id, a.role(), a.requested(), plan.token(), delivered, a.issued());
  }

  private PairingRequired pairingRequired(DeviceRecord rec, GateResult.Passed at,
      io.pairgate.UpgradeReason reason, RequestPlan q, Instant now) {
    PairedDevice paired = rec.paired();
    boolean matched = paired != null && paired.publicKey().equals(at.key());
    List<Role> approvedRoles = matched ? paired.roles() : List.of();
    ScopeSet approvedScopes = matched ? paired.approvedScopes() : null;
    List<Scope> missing = matched
        ? settings.policy().missing(at.role(), at.requested(), paired.approvedScopes())
        : at.requested().scopes();
    PendingRequest pending = q.next();
    long pendingForMs = Math.max(0, now.toEpochMilli() - pending.createdAt().toEpochMilli());
    Duration retryAfter =
        Duration.ofMillis(Math.min(30_000, Math.max(1_000, pendingForMs / 10)));
    return new PairingRequired(rec.deviceId().value(), reason, pending.requestId(), q.change(),
        at.role(), at.requested(), approvedRoles, approvedScopes, missing, retryAfter);
  }

  private static void lifecycleEvents(
      String id, RequestPlan q, Instant now, List<AuditEvent> events) {
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

  private AuditEvent requestedEvent(DeviceRecord rec, GateResult.Passed at, AttemptFacts facts,
      io.pairgate.UpgradeReason reason, PendingRequest p, Instant now) {
    String id = p.deviceId().value();
    String locality = facts.locality().locality().wireName();
    PairedDevice paired = rec.paired();
    if (paired == null || !paired.publicKey().equals(at.key())) {
      return new AuditEvent.PairingRequested(now, id, p.requestId(), at.role(), p.roles(),
          p.scopes(), p.remoteAddress(), locality, p.client().clientId(), p.client().platform());
    }
    TreeSet<Role> rolesTo = new TreeSet<>(paired.roles());
    rolesTo.addAll(p.roles());
    return new AuditEvent.UpgradeRequested(now, id, p.requestId(), reason, paired.roles(),
        new ArrayList<>(rolesTo), paired.approvedScopes(),
        paired.approvedScopes().union(p.scopes()),
        settings.policy().missing(at.role(), at.requested(), paired.approvedScopes()),
        paired.client().platform(), p.client().platform(), paired.client().deviceFamily(),
        p.client().deviceFamily(), p.remoteAddress(), locality);
  }

  // ---------------------------------------------------------------------------------------------
  // operator actions

  /** Runs {@code body} on the device's record until its write commits; then fires its events. */
  <T> T onDevice(DeviceId id, Function<DeviceRecord, WriteStep<T>> body) {
    return loop("device " + id, () -> store.load(id).orElseGet(() -> DeviceRecord.absent(id)),
        body);
  }

  /** As {@link #onDevice}, on the record holding (or remembering) {@code requestId}. */
  <T> T onRequest(RequestId requestId, Function<DeviceRecord, WriteStep<T>> body) {
    return loop("request " + requestId, () -> store.findByRequestId(requestId)
        .orElseThrow(() -> RequestHistory.unknownRequest(requestId, "")), body);
  }

  private <T> T loop(String what, Supplier<DeviceRecord> load,
      Function<DeviceRecord, WriteStep<T>> body) {
    for (int i = 0; i < settings.maxConflictRetries(); i++) {
      DeviceRecord rec = load.get();
      WriteStep<T> step = body.apply(rec);
      if (step.write() == null || store.compareAndSet(rec.version(), step.write())) {
        fire(step.events());
        return step.result();
      }
      backOff(i);
    }
    throw gaveUp(what);
  }

  private StoreException gaveUp(String what) {
    return new StoreException("gave up after " + settings.maxConflictRetries()
        + " conflicting concurrent changes to " + what, true);
  }

  /** Delivers events to every listener; a failing listener is logged and skipped (R14). */
  private void fire(List<AuditEvent> events) {
    for (AuditEvent e : events) {
      for (AuditListener l : settings.auditListeners()) {
        try {
          l.onEvent(e);
        } catch (RuntimeException ex) {
          LOG.warn("audit listener {} failed on a {} event: {}", l, e.type(), ex.toString());
        }
      }
    }
  }

  private static <T> Supplier<T> once(Supplier<T> s) {
    return new Supplier<>() {
      private @Nullable T value;

      @Override
      public T get() {
        T v = value;
        if (v == null) {
          v = s.get();
          value = v;
        }
        return v;
      }
    };
  }

  private static <T> T required(@Nullable T value) {
    if (value == null) {
      throw new IllegalStateException("an automatic approval without its parts");
    }
    return value;
  }

  /**
   * After a lost compare-and-set: retry at once the first times (the usual case is one racing
   * connect), then pause a random, growing fraction of a millisecond so that many writers on one
   * hot record stop wasting whole attempts on each other. The jitter is not drawn from the
   * service's random source, so it never changes what a seeded run produces.
   */
  private static void backOff(int attempt) {
    if (attempt >= 2) {
      long maxNanos = Math.min(1_000_000L, 20_000L << Math.min(attempt - 2, 6));
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(maxNanos));
    }
  }
}
