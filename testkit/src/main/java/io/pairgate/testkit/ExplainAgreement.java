package io.pairgate.testkit;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.Explanation;
import io.pairgate.PairedDevice;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.VirtualClock;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * The property "{@code explain} renders the decision {@code connect} applies": for a generated
 * device record (unpaired, paired with this or another key, with tokens live, revoked or awaiting
 * issue, a pending request fresh, due for refresh or expired, blocked or not), other devices'
 * pending requests (to reach the flood limits), a service configuration (pairing switched off,
 * silent local approval, small limits) and an attempt (role, scopes, client, auth, local or remote
 * peer, good or tampered proof), {@code explain(attempt)} followed by {@code connect(attempt)}
 * must agree on the outcome, the reason, the request change, the request id (when explain can
 * name it), the rejection code and the automatic approval; and explain must change nothing.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> explainAgreesWithConnect() {
 *   return ExplainAgreement.property("in-memory", InMemoryPairingStore::new).dynamicTests();
 * }
 * }</pre>
 */
public final class ExplainAgreement {
  private static final String OTHER_PEER = "198.51.100.4";
  private static final List<String> OPERATOR = List.of(
      "operator.admin", "operator.read", "operator.write", "operator.pairing");
  private static final List<String> NODE = List.of("node.exec", "node.camera");
  private static final List<DeviceKeyPair> KEYS = List.of(
      SampleRecords.keyPair("explain-agreement-0"), SampleRecords.keyPair("explain-agreement-1"),
      SampleRecords.keyPair("explain-agreement-2"), SampleRecords.keyPair("explain-agreement-3"));

  private ExplainAgreement() {}

  /**
   * One generated case: everything is derived from {@code seed} ({@link #toString()} describes
   * the derived values).
   *
   * @param seed the case seed
   */
  public record Case(long seed) {
    @Override
    public String toString() {
      return new Setup(seed).toString();
    }
  }

  /** The property over stores made by {@code newStore}, 300 cases by default. */
  public static Property<Case> property(String name, Supplier<PairingStore> newStore) {
    Objects.requireNonNull(newStore, "newStore");
    Gen<Case> cases = Gen.of(r -> new Case(r.nextLong()), c -> Stream.empty());
    return Property.forAll("explain agrees with connect (" + name + ")", cases,
        c -> check(new Setup(c.seed()), newStore.get())).cases(300);
  }

  /** The values one case seed stands for. */
  private static final class Setup {
    final long seed;
    final boolean pairingRequired;
    final boolean autoApproveLocal;
    final int maxPending;
    final int maxPendingPerAddress;
    final int othersPending;
    final DeviceRecord record;
    final String secret;
    final long clockMs;
    final String role;
    final List<String> scopes;
    final Action.Client client;
    final int auth;
    final boolean local;
    final boolean tampered;

    Setup(long seed) {
      this.seed = seed;
      RandomGenerator r = new java.util.SplittableRandom(seed);
      pairingRequired = r.nextInt(8) != 0;
      autoApproveLocal = r.nextBoolean();
      maxPending = r.nextInt(3) == 0 ? 2 : 1000;
      maxPendingPerAddress = r.nextInt(3) == 0 ? 1 : 16;
      othersPending = r.nextInt(3);
      DeviceKeyPair me = KEYS.get(0);
      secret = SampleRecords.tokenSecret("explain-agreement-" + seed);
      clockMs = 1_000_000;
      PairedDevice paired = null;
      int p = r.nextInt(4);
      if (p > 0) {
        DeviceKeyPair key = p == 3 ? KEYS.get(1) : me;
        List<Role> roles = r.nextInt(4) == 0 ? List.of(Role.OPERATOR, Role.NODE)
            : r.nextInt(3) == 0 ? List.of(Role.NODE) : List.of(Role.OPERATOR);
        ScopeSet baseline = ScopeSet.parse(pick(r, OPERATOR)).union(ScopeSet.parse(pick(r, NODE)));
        Map<Role, DeviceToken> tokens = new HashMap<>();
        for (Role role : roles) {
          ScopeSet mine = baseline.filter(s -> s.belongsTo(role));
          int kind = r.nextInt(5);
          if (kind == 4) {
            continue; // no token for this role
          }
          tokens.put(role, new DeviceToken(role, mine,
              kind == 3 ? null : io.pairgate.TokenSecret.of(secret).hash(), at(0), null,
              kind == 2 ? at(1_000) : null, null));
        }
        Action.Client pinned = PairingGens.CLIENTS.get(r.nextInt(PairingGens.CLIENTS.size()));
        Instant seen = r.nextBoolean() ? null : at(clockMs - (r.nextBoolean() ? 1_000 : 600_000));
        paired = new PairedDevice(me.deviceId(), key.publicKey(), roles, baseline,
            info(pinned), "", tokens, at(0), at(0), seen, "operator", "203.0.113.7");
      }
      PendingRequest pending = null;
      if (r.nextInt(3) == 0) {
        DeviceKeyPair key = r.nextInt(4) == 0 ? KEYS.get(1) : me;
        Role role = r.nextInt(4) == 0 ? Role.NODE : Role.OPERATOR;
        ScopeSet s = ScopeSet.parse(pick(r, role.equals(Role.NODE) ? NODE : OPERATOR));
        long refreshed = switch (r.nextInt(3)) {
          case 0 -> clockMs - 1_000;          // refreshed recently
          case 1 -> clockMs - 60_000;         // due for a refresh
          default -> clockMs - 400_000;       // expired
        };
        Action.Client c = PairingGens.CLIENTS.get(r.nextInt(2));
        pending = new PendingRequest(SampleRecords.requestId("explain-agreement-" + seed),
            me.deviceId(), key.publicKey(), role, List.of(role), s, info(c), "203.0.113.7",
            at(refreshed - 5_000), at(refreshed), at(refreshed + 300_000), paired != null,
            paired == null ? UpgradeReason.NOT_PAIRED : UpgradeReason.SCOPE_UPGRADE);
      }
      boolean blocked = r.nextInt(10) == 0;
      record = new DeviceRecord(me.deviceId(), 1, paired, pending, blocked, List.of());
      role = r.nextInt(4) == 0 ? "node" : "operator";
      List<String> asked = new ArrayList<>(pick(r, role.equals("node") ? NODE : OPERATOR));
      if (r.nextInt(15) == 0) {
        asked.add(role.equals("node") ? "operator.read" : "node.exec"); // inadmissible
      }
      scopes = List.copyOf(asked);
      client = PairingGens.CLIENTS.get(r.nextInt(3) == 0 ? r.nextInt(PairingGens.CLIENTS.size())
          : 0);
      auth = r.nextInt(5);
      local = r.nextBoolean();
      tampered = r.nextInt(12) == 0;
    }

    private static List<String> pick(RandomGenerator r, List<String> from) {
      List<String> out = new ArrayList<>();
      for (String s : from) {
        if (r.nextInt(3) == 0) {
          out.add(s);
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return "seed=" + seed + " pairingRequired=" + pairingRequired + " autoApproveLocal="
          + autoApproveLocal + " maxPending=" + maxPending + " maxPendingPerAddress="
          + maxPendingPerAddress + " othersPending=" + othersPending + " record=" + record
          + " attempt: role=" + role + " scopes=" + scopes + " client=" + client + " auth="
          + auth + " local=" + local + " tampered=" + tampered;
    }
  }

  private static Instant at(long ms) {
    return SampleRecords.at(ms);
  }

  private static ClientInfo info(Action.Client c) {
    return new ClientInfo(c.id(), c.mode(), c.platform(), c.deviceFamily(), "", "");
  }

  private static void check(Setup s, PairingStore store) {
    for (int i = 0; i < s.othersPending; i++) {
      DeviceKeyPair other = KEYS.get(i + 2);
      PendingRequest q = SampleRecords.pendingRequest(
          other, SampleRecords.requestId("explain-agreement-other-" + i), "operator.read");
      String from = s.local ? "127.0.0.1" : i == 0 ? "203.0.113.7" : OTHER_PEER;
      q = new PendingRequest(q.requestId(), q.deviceId(), q.publicKey(), q.role(), q.roles(),
          q.scopes(), q.client(), from, at(s.clockMs - 1_000), at(s.clockMs - 1_000),
          at(s.clockMs + 299_000), false, q.reason());
      store.compareAndSet(0, new DeviceRecord(other.deviceId(), 1, null, q, false, List.of()));
    }
    store.compareAndSet(0, s.record);
    VirtualClock clock = VirtualClock.at(SampleRecords.at(s.clockMs).toEpochMilli());
    PairingService service = PairingService.builder(store)
        .clock(clock)
        .randomSource(SeededRandomSource.of(s.seed))
        .pairingRequired(s.pairingRequired)
        .autoApproveLocal(s.autoApproveLocal)
        .maxPending(s.maxPending)
        .maxPendingPerAddress(s.maxPendingPerAddress)
        .auditLogging(false)
        .build();
    ConnectAttempt attempt = attempt(s, service.issueChallenge(), clock.millis());
    DeviceId id = KEYS.get(0).deviceId();
    long before = version(store, id);
    Explanation x = service.explain(attempt);
    if (version(store, id) != before) {
      throw new AssertionError("explain wrote the record:\n" + x);
    }
    ConnectResult r = service.connect(attempt);
    ConnectResult.Kind outcome = r.kind();
    agree("outcome", outcome, x.outcome(), r, x);
    if (r instanceof ConnectResult.PairingRequired p) {
      agree("reason", p.reason(), x.reason(), r, x);
      agree("request change", p.requestChange(), x.requestChange(), r, x);
      boolean minted = p.requestChange() == ConnectResult.RequestChange.CREATED
          || p.requestChange() == ConnectResult.RequestChange.SUPERSEDED;
      agree("request id", minted ? null : p.requestId(), x.requestId(), r, x);
    } else if (r instanceof ConnectResult.Rejected j) {
      agree("rejection", j.code(), x.rejection(), r, x);
      agree("request change", null, x.requestChange(), r, x);
    } else {
      agree("request change", null, x.requestChange(), r, x);
      String via = service.device(id).map(PairedDevice::approvedVia).orElse("?");
      if (!x.approvedVia().isEmpty()) {
        agree("automatic approval", x.approvedVia(), via, r, x);
        agree("version after an automatic approval", before + 1, version(store, id), r, x);
      } else {
        agree("reason", null, x.reason(), r, x);
      }
    }
  }

  private static long version(PairingStore store, DeviceId id) {
    return store.load(id).map(DeviceRecord::version).orElse(0L);
  }

  private static void agree(String what, @Nullable Object connect, @Nullable Object explain,
      ConnectResult r,
      Explanation x) {
    if (!Objects.equals(connect, explain)) {
      throw new AssertionError(what + ": connect says " + connect + ", explain says " + explain
          + "\nconnect: " + r + "\nexplain:\n" + x);
    }
  }

  private static ConnectAttempt attempt(Setup s, Challenge ch, long now) {
    DeviceKeyPair key = KEYS.get(0);
    AuthMethod method;
    String token;
    switch (s.auth) {
      case 0 -> {
        method = AuthMethod.NONE;
        token = "";
      }
      case 1, 2 -> {
        method = AuthMethod.DEVICE_TOKEN;
        token = s.auth == 1 ? s.secret : SampleRecords.tokenSecret("never-issued");
      }
      default -> {
        method = AuthMethod.SHARED_TOKEN;
        token = "gateway-shared-token";
      }
    }
    Action.Client c = s.client;
    String payload = ProofPayload.v3(key.deviceId().value(), c.id(), c.mode(), s.role, s.scopes,
        now, token, ch.nonce(), c.platform(), c.deviceFamily());
    String sig = key.sign(s.tampered ? payload + "|tampered" : payload);
    return ConnectAttempt.builder()
        .device(key.deviceId().value(), key.publicKey().base64Url())
        .role(Role.of(s.role))
        .scopes(s.scopes)
        .client(info(c))
        .proof(sig, now, ch.nonce())
        .challenge(ch)
        .auth(method, token)
        .peerAddress(s.local ? "127.0.0.1" : "203.0.113.7")
        .headers(s.local ? Map.of("host", "localhost") : Map.of("host", "gateway.example"))
        .build();
  }
}
