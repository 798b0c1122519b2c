package io.pairgate.testkit;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.TokenSecret;
import io.pairgate.IssuedToken;
import io.pairgate.ForbiddenException;
import io.pairgate.PairedDevice;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.SupersededException;
import io.pairgate.TokenSummary;
import io.pairgate.VirtualClock;
import io.pairgate.spi.PairingStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Runs an action sequence against a real {@link PairingService} and the {@link ReferenceModel} in
 * lockstep, comparing every outcome and the visible state after every step. Real request ids and
 * token secrets are mapped one-to-one onto the model's names the first time they appear; after
 * that, the same real value must always map to the same name (stability) and a new name must
 * always come with a new real value (supersession mints a new id).
 */
final class Lockstep implements AutoCloseable {
  /** An id no service ever mints (version nibble 4, but all zero otherwise). */
  static final String UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
  static final String SHARED_TOKEN = "gateway-shared-token";
  static final String PEER = "203.0.113.7";

  /** Opens, restarts and closes the store under test. */
  interface Stores {
    PairingStore open();

    /** A store over the same data as {@code old}, e.g. after closing and reopening it. */
    PairingStore restart(PairingStore old);
  }

  private final ReferenceModel.Config cfg;
  private final Stores stores;
  private final VirtualClock clock = VirtualClock.atScenarioEpoch();
  private final SeededRandomSource random;
  private final List<DeviceKeyPair> keys;
  private final Map<String, Integer> indexOf = new HashMap<>();
  private final ReferenceModel model;
  private final Names requests = new Names("request");
  private final Names secrets = new Names("token");
  private final Map<String, String> realHeld = new HashMap<>();
  private PairingStore store;
  private PairingService service;
  private java.util.function.Consumer<String> observer = o -> { };

  Lockstep(ReferenceModel.Config cfg, Stores stores, List<DeviceKeyPair> keys, long seed) {
    this.cfg = cfg;
    this.stores = stores;
    this.keys = List.copyOf(keys);
    for (int i = 0; i < keys.size(); i++) {
      indexOf.put(keys.get(i).deviceId().value(), i);
    }
    this.random = SeededRandomSource.of(seed);
    this.model = new ReferenceModel(cfg, keys.size(), clock.millis());
    this.store = stores.open();
    this.service = build();
  }

  private PairingService build() {
    return PairingService.builder(store)
        .clock(clock)
        .randomSource(random)
        .pendingTtl(Duration.ofMillis(cfg.pendingTtlMs()))
        .signatureSkew(Duration.ofMillis(cfg.skewMs()))
        .resolvedRetention(Duration.ofMillis(cfg.retentionMs()))
        .maxResolvedPerDevice(cfg.maxResolvedPerDevice())
        .auditLogging(false)
        .build();
  }

  /** Receives every step's outcome (for coverage statistics). */
  Lockstep observe(java.util.function.Consumer<String> o) {
    this.observer = o;
    return this;
  }

  /** Runs {@code actions}; throws an {@link AssertionError} naming the first diverging step. */
  void run(List<Action> actions) {
    List<String> trace = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      Action a = actions.get(i);
      // Picks are resolved once, before either side acts.
      Optional<String> target = a instanceof Action.Approve ap ? model.resolvePick(ap.pick())
          : a instanceof Action.Reject rj ? model.resolvePick(rj.pick()) : Optional.empty();
      String expected = modelStep(a, target);
      String actual;
      try {
        actual = realStep(a, target);
      } catch (RuntimeException e) {
        throw new AssertionError(context(trace, i, a) + "the service threw " + e, e);
      }
      if (!expected.equals(actual)) {
        throw new AssertionError(context(trace, i, a) + "expected (model): " + expected
            + "\n  but was (service): " + actual);
      }
      trace.add(a + "  ->  " + actual);
      observer.accept(actual);
      List<ReferenceModel.View> want = model.view();
      List<ReferenceModel.View> got = realView(want);
      if (!want.equals(got)) {
        throw new AssertionError(context(trace, i, a) + "visible state differs after the step"
            + "\n  expected (model): " + want + "\n  but was (service): " + got);
      }
    }
  }

  private static String context(List<String> trace, int i, Action a) {
    StringBuilder b = new StringBuilder("step ").append(i + 1).append(" (").append(a).append("): ");
    if (!trace.isEmpty()) {
      b.append("\n  after:");
      for (int k = 0; k < trace.size(); k++) {
        b.append("\n    ").append(k + 1).append(". ").append(trace.get(k));
      }
      b.append("\n  ");
    }
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // model side

  private String modelStep(Action a, Optional<String> target) {
    if (a instanceof Action.Connect c) {
      return model.connect(c);
    } else if (a instanceof Action.Approve ap) {
      return model.approve(target.orElse(null),
          ReferenceModel.sorted(ap.approverScopes()));
    } else if (a instanceof Action.Reject r) {
      return model.reject(target.orElse(null));
    } else if (a instanceof Action.Rotate r) {
      return model.rotate(r.device(), r.role(), r.scopes());
    } else if (a instanceof Action.Revoke r) {
      return model.revoke(r.device(), r.role());
    } else if (a instanceof Action.Remove r) {
      return model.remove(r.device());
    } else if (a instanceof Action.Block b) {
      return model.block(b.device());
    } else if (a instanceof Action.Unblock u) {
      return model.unblock(u.device());
    } else if (a instanceof Action.Advance adv) {
      return model.advance(adv.ms());
    } else if (a instanceof Action.Restart) {
      return "restarted";
    }
    throw new IllegalArgumentException("unknown action " + a);
  }

  // ---------------------------------------------------------------------------------------------
  // service side

  private String realStep(Action a, Optional<String> name) {
    if (a instanceof Action.Connect c) {
      return connect(c);
    } else if (a instanceof Action.Approve ap) {
      RequestId id = RequestId.of(name.map(requests::realOf).orElse(UNKNOWN_ID));
      try {
        Approval r = service.approve(id, new Approver("lockstep", ScopeSet.parse(ap.approverScopes())));
        return "approved " + requests.name(r.requestId(), name.orElse("?")) + " already="
            + r.alreadyApproved() + " addedRoles=" + roleNames(r.addedRoles()) + " addedScopes="
            + names(r.addedScopes());
      } catch (PairgateException e) {
        return error(e);
      }
    } else if (a instanceof Action.Reject) {
      RequestId id = RequestId.of(name.map(requests::realOf).orElse(UNKNOWN_ID));
      try {
        PendingRequest p = service.reject(id);
        return "rejected-request " + requests.name(p.requestId(), name.orElse("?"));
      } catch (PairgateException e) {
        return error(e);
      }
    } else if (a instanceof Action.Rotate r) {
      try {
        DeviceId d = device(r.device());
        Role role = Role.of(r.role());
        IssuedToken t = r.scopes().isPresent()
            ? service.rotate(d, role, ScopeSet.parse(r.scopes().get()))
            : service.rotate(d, role);
        realHeld.put(r.device() + ":" + r.role(), t.secret().value());
        return "rotated role=" + t.role() + " scopes=" + names(t.scopes()) + " secret="
            + secrets.name(t.secret().hash().encoded(),
                model.heldToken(r.device(), r.role()).orElse("?"));
      } catch (PairgateException e) {
        return error(e);
      }
    } else if (a instanceof Action.Revoke r) {
      try {
        TokenSummary t = service.revoke(device(r.device()), Role.of(r.role()));
        return "revoked role=" + t.role() + " scopes=" + names(t.scopes());
      } catch (PairgateException e) {
        return error(e);
      }
    } else if (a instanceof Action.Remove r) {
      try {
        service.remove(device(r.device()));
        return "removed";
      } catch (PairgateException e) {
        return error(e);
      }
    } else if (a instanceof Action.Block b) {
      service.block(device(b.device()));
      return "blocked";
    } else if (a instanceof Action.Unblock u) {
      service.unblock(device(u.device()));
      return "unblocked";
    } else if (a instanceof Action.Advance adv) {
      clock.advance(adv.ms());
      return "advanced";
    } else if (a instanceof Action.Restart) {
      store = stores.restart(store);
      service = build();
      return "restarted";
    }
    throw new IllegalArgumentException("unknown action " + a);
  }

  private String connect(Action.Connect c) {
    DeviceKeyPair key = keys.get(c.device());
    Challenge ch = service.issueChallenge();
    long signedAt = clock.millis() - (c.proof() == Action.Proof.STALE ? 125_000 : 0);
    String token;
    AuthMethod method;
    switch (c.auth()) {
      case SHARED_TOKEN -> {
        method = AuthMethod.SHARED_TOKEN;
        token = SHARED_TOKEN;
      }
      case NONE -> {
        method = AuthMethod.NONE;
        token = "";
      }
      case PASSWORD -> {
        method = AuthMethod.PASSWORD;
        token = "";
      }
      case DEVICE_TOKEN -> {
        method = AuthMethod.DEVICE_TOKEN;
        token = realHeld.getOrDefault(c.device() + ":" + c.role(), "");
      }
      case BAD_DEVICE_TOKEN -> {
        method = AuthMethod.DEVICE_TOKEN;
        token = SampleRecords.tokenSecret("never-issued");
      }
      default -> throw new IllegalArgumentException(c.auth().name());
    }
    Action.Client cl = c.client();
    String payload = ProofPayload.v3(key.deviceId().value(), cl.id(), cl.mode(), c.role(),
        c.scopes(), signedAt, token, ch.nonce(), cl.platform(), cl.deviceFamily());
    String sig = key.sign(c.proof() == Action.Proof.BAD_SIGNATURE ? payload + "|tampered" : payload);
    ConnectAttempt attempt = ConnectAttempt.builder()
        .device(key.deviceId().value(), key.publicKey().base64Url())
        .role(Role.of(c.role()))
        .scopes(c.scopes())
        .client(new ClientInfo(cl.id(), cl.mode(), cl.platform(), cl.deviceFamily(), "", ""))
        .proof(sig, signedAt, ch.nonce())
        .challenge(ch)
        .auth(method, token)
        .peerAddress(PEER)
        .build();
    ConnectResult r = service.connect(attempt);
    if (r instanceof ConnectResult.Allowed al) {
      String delivered = "-";
      if (al.secret().isPresent()) {
        TokenSecret s = al.secret().get();
        realHeld.put(c.device() + ":" + c.role(), s.value());
        delivered = secrets.name(s.hash().encoded(),
            model.heldToken(c.device(), c.role()).orElse("?"));
      }
      return "allowed role=" + al.role() + " scopes=" + names(al.scopes()) + " token="
          + names(al.token().scopes()) + " secret=" + delivered + " issued=" + al.tokenIssued();
    } else if (r instanceof ConnectResult.PairingRequired pr) {
      String hint = model.view().stream()
          .filter(v -> v.device() == c.device() && v.pending() != null)
          .map(v -> v.pending().id())
          .findFirst()
          .orElse("?");
      return "pairing-required reason=" + pr.reason().wireName() + " request="
          + requests.name(pr.requestId(), hint) + " change="
          + pr.requestChange().name().toLowerCase(java.util.Locale.ROOT)
          + " approvedRoles=" + roleNames(pr.approvedRoles())
          + " approvedScopes=" + (pr.approvedScopes() == null ? "null" : names(pr.approvedScopes()))
          + " missing=" + scopeNames(pr.missingScopes())
          + " retryAfterMs=" + pr.retryAfter().toMillis();
    } else {
      ConnectResult.Rejected rj = (ConnectResult.Rejected) r;
      return "rejected error=" + rj.code().wireName();
    }
  }

  private String error(PairgateException e) {
    String s = "error " + e.code().wireName();
    if (e instanceof SupersededException se) {
      s += " successor=" + requests.name(se.successorRequestId(), "?");
    } else if (e instanceof ForbiddenException fe) {
      s += " missing=" + scopeNames(fe.missingScopes());
    }
    return s;
  }

  private DeviceId device(int i) {
    return keys.get(i).deviceId();
  }

  private List<ReferenceModel.View> realView(List<ReferenceModel.View> hints) {
    Map<Integer, ReferenceModel.View> hintOf = new HashMap<>();
    hints.forEach(v -> hintOf.put(v.device(), v));
    PairingListing listing = service.list();
    TreeMap<Integer, ReferenceModel.PendingView> pending = new TreeMap<>();
    TreeMap<Integer, ReferenceModel.PairedView> paired = new TreeMap<>();
    TreeSet<Integer> blocked = new TreeSet<>();
    for (PendingRequest p : listing.pending()) {
      int d = index(p.deviceId());
      ReferenceModel.View h = hintOf.get(d);
      String hint = h != null && h.pending() != null ? h.pending().id() : "?";
      pending.put(d, new ReferenceModel.PendingView(requests.name(p.requestId(), hint),
          p.role().name(), roleSet(p.roles()), Set.copyOf(p.scopes().names()),
          p.reason().wireName(), p.repair(), p.client().platform(), p.client().deviceFamily(),
          p.createdAt().toEpochMilli(), p.refreshedAt().toEpochMilli(),
          p.expiresAt().toEpochMilli()));
    }
    for (PairedDeviceSummary s : listing.paired()) {
      int d = index(s.deviceId());
      PairedDevice full = service.device(s.deviceId()).orElseThrow(
          () -> new AssertionError("list() shows " + s.deviceId() + " but device() does not"));
      ReferenceModel.View h = hintOf.get(d);
      Map<String, ReferenceModel.TokenView> tokens = new TreeMap<>();
      full.tokens().forEach((role, t) -> {
        String hint = h != null && h.paired() != null && h.paired().tokens().containsKey(role.name())
            ? h.paired().tokens().get(role.name()).secret() : "?";
        // the store holds hashes only: a token is named by its hash (the delivered secrets were
        // named by theirs); one awaiting issue has none, like the model's
        tokens.put(role.name(), new ReferenceModel.TokenView(Set.copyOf(t.scopes().names()),
            t.hash() == null ? null : secrets.name(t.hash().encoded(), hint == null ? "?" : hint),
            t.isRevoked()));
      });
      paired.put(d, new ReferenceModel.PairedView(roleSet(s.roles()),
          Set.copyOf(s.approvedScopes().names()), s.client().platform(),
          s.client().deviceFamily(), tokens, s.createdAt().toEpochMilli(),
          s.approvedAt().toEpochMilli()));
    }
    for (DeviceId id : listing.blocked()) {
      blocked.add(index(id));
    }
    TreeSet<Integer> all = new TreeSet<>(pending.keySet());
    all.addAll(paired.keySet());
    all.addAll(blocked);
    List<ReferenceModel.View> out = new ArrayList<>();
    for (int d : all) {
      out.add(new ReferenceModel.View(d, pending.get(d), paired.get(d), blocked.contains(d)));
    }
    return out;
  }

  private int index(DeviceId id) {
    Integer i = indexOf.get(id.value());
    if (i == null) {
      throw new AssertionError("the service lists a device nobody connected: " + id);
    }
    return i;
  }

  private static Set<String> roleSet(List<Role> roles) {
    TreeSet<String> out = new TreeSet<>();
    roles.forEach(r -> out.add(r.name()));
    return out;
  }

  private static String roleNames(List<Role> roles) {
    return roleSet(roles).toString();
  }

  private static String names(ScopeSet s) {
    return new TreeSet<>(s.names()).toString();
  }

  private static String scopeNames(List<Scope> s) {
    List<String> out = new ArrayList<>();
    s.forEach(x -> out.add(x.value()));
    return out.toString();
  }

  @Override
  public void close() {
    store.close();
  }

  /** A one-to-one map between real values (UUIDs, secrets) and model names. */
  static final class Names {
    private final String kind;
    private final Map<String, String> nameOf = new HashMap<>();
    private final Map<String, String> realOf = new HashMap<>();

    Names(String kind) {
      this.kind = kind;
    }

    /**
     * The model name of {@code real}. An unseen real value is bound to {@code hint} if that name
     * is not yet bound; otherwise it renders as a fresh marker that can never equal a model name.
     */
    String name(RequestId real, String hint) {
      return name(real.value(), hint);
    }

    String name(String real, String hint) {
      String n = nameOf.get(real);
      if (n != null) {
        return n;
      }
      if (!hint.equals("?") && !realOf.containsKey(hint)) {
        nameOf.put(real, hint);
        realOf.put(hint, real);
        return hint;
      }
      return "<unmapped " + kind + " " + abbreviate(real) + ">";
    }

    /** The real value bound to model name {@code name}; a never-minted id if unbound. */
    String realOf(String name) {
      return realOf.getOrDefault(name, UNKNOWN_ID);
    }

    private static String abbreviate(String s) {
      return s.length() <= 12 ? s : s.substring(0, 12) + "…";
    }
  }
}
