package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.ConnectResult;
import io.pairgate.ConnectResult.Allowed;
import io.pairgate.ConnectResult.PairingRequired;
import io.pairgate.ConnectResult.Rejected;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.RandomSource;
import io.pairgate.store.jdbc.TestDatabases.Namespace;
import io.pairgate.store.jdbc.TestDatabases.Server;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Several gateway instances on one database: 3 {@link PairingService}s, each with its own
 * {@link JdbcPairingStore} and connection pool, driven by 4 threads each (12 workers), run 5 000
 * mixed operations — signed connects, approving the latest request, rotating, revoking, blocking —
 * through randomly chosen instances.
 *
 * <p><b>Checker.</b> After every acknowledged approval, rotation, revocation and block, the
 * acknowledging worker asks <em>every</em> instance for its next decision about that device, and
 * the decision must reflect the change: the approved token is allowed everywhere, a rotated
 * token's new secret is accepted everywhere (and the old one refused), a revoked secret is refused
 * everywhere, a blocked device is rejected everywhere.
 *
 * <p><b>No lost updates.</b> Each worker owns a few devices outright (all their operations are its
 * own, so its log orders them), and owns one role on each of two shared "hot" devices (so that the
 * 12 workers' rotations collide on the same rows through different instances). Operations on
 * different devices, and on different roles of a hot device, commute, so the sequential replay of
 * the acknowledged log reduces to: per owned device, the state after its last acknowledged
 * operation; per hot-device role, the secret of its last acknowledged rotation; per hot device,
 * exactly one version per acknowledged rotation. The final database state, read through a fourth
 * store, must equal that replay.
 */
class MultiInstanceTest {
  private static final int INSTANCES = 3;
  private static final int THREADS_PER_INSTANCE = 4;
  private static final int WORKERS = INSTANCES * THREADS_PER_INSTANCE;
  private static final int OPERATIONS = 5_000;
  private static final int OWNED_DEVICES_PER_WORKER = 3;
  private static final int HOT_DEVICES = 2;
  /** Guards against a hung database; not a performance bound. */
  private static final long SAFETY_NET_MINUTES = 4;

  private static final List<String> SCOPES = List.of("operator.read", "operator.write");

  private enum Phase { NEW, PENDING, PAIRED, REVOKED, BLOCKED }

  /** The model of one owned device: what its owner's acknowledged operations made of it. */
  private static final class Owned {
    final DeviceKeyPair key;
    Phase phase = Phase.NEW;
    @org.jspecify.annotations.Nullable RequestId requestId;
    String secret = "";

    Owned(DeviceKeyPair key) {
      this.key = key;
    }
  }

  private static Role role(int worker) {
    return Role.of("r" + worker);
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void threeInstances_fiveThousandMixedOperations_noStaleDecisionNoLostUpdate(Server server)
      throws InterruptedException {
    Namespace ns = Namespace.create(server);
    List<JdbcPairingStore> stores = new ArrayList<>();
    try {
      List<PairingService> services = new ArrayList<>();
      for (int i = 0; i < INSTANCES; i++) {
        HikariDataSource pool = ns.pool(THREADS_PER_INSTANCE + 1, true);
        JdbcPairingStore store = JdbcPairingStore.builder(pool).open();
        stores.add(store);
        services.add(PairingService.builder(store).build());
      }
      RandomSource keys = RandomSource.secure();

      // Hot devices: every worker's role approved on each, through instance 0.
      List<DeviceKeyPair> hot = new ArrayList<>();
      String[][] hotSecrets = new String[HOT_DEVICES][WORKERS];
      long[] hotVersions = new long[HOT_DEVICES];
      for (int h = 0; h < HOT_DEVICES; h++) {
        DeviceKeyPair k = DeviceKeyPair.generate(keys);
        hot.add(k);
        for (int w = 0; w < WORKERS; w++) {
          PairingRequired pr = (PairingRequired) Devices.connect(services.get(0), k, role(w),
              List.of());
          services.get(0).approve(pr.requestId(), Approver.admin("setup"));
        }
        for (int w = 0; w < WORKERS; w++) { // the first connect per role collects its secret
          Allowed a = (Allowed) Devices.connect(services.get(0), k, role(w), List.of());
          hotSecrets[h][w] = a.secret().orElseThrow().value();
        }
        hotVersions[h] = stores.get(0).load(k.deviceId()).orElseThrow().version();
      }

      AtomicInteger remaining = new AtomicInteger(OPERATIONS);
      AtomicInteger hotRotations = new AtomicInteger();
      int[][] hotAcks = new int[HOT_DEVICES][WORKERS];
      List<List<Owned>> owned = new ArrayList<>();
      List<List<Owned>> retired = new ArrayList<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        List<Owned> mine = new ArrayList<>();
        for (int d = 0; d < OWNED_DEVICES_PER_WORKER; d++) {
          mine.add(new Owned(DeviceKeyPair.generate(keys)));
        }
        owned.add(mine);
        List<Owned> gone = new ArrayList<>();
        retired.add(gone);
        int worker = w;
        Worker job = new Worker(worker, services, mine, gone, hot, hotSecrets, hotAcks,
            new Random(0x5eed + worker), keys);
        threads.add(new Thread(() -> {
          try {
            start.await();
            while (errors.isEmpty() && remaining.getAndDecrement() > 0) {
              if (job.step()) {
                hotRotations.incrementAndGet();
              }
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }, "pairgate-multi-instance-" + w));
      }
      threads.forEach(Thread::start);
      start.countDown();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(SAFETY_NET_MINUTES);
      for (Thread t : threads) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (t.isAlive()) {
          threads.forEach(Thread::interrupt);
          throw new AssertionError(t.getName() + " did not finish: database hung?");
        }
      }
      if (!errors.isEmpty()) {
        AssertionError e = new AssertionError("a worker failed: " + errors.peek());
        errors.forEach(e::addSuppressed);
        throw e;
      }
      assertTrue(hotRotations.get() > 0, "the mix included hot-device rotations");

      // Final state, read through a fourth store, equals the replay of the acknowledged log.
      for (JdbcPairingStore s : stores) {
        s.flushTouches();
      }
      try (JdbcPairingStore checker = JdbcPairingStore.builder(ns.pool(2, true)).open()) {
        for (int h = 0; h < HOT_DEVICES; h++) {
          DeviceRecord r = checker.load(hot.get(h).deviceId()).orElseThrow();
          int acks = 0;
          for (int w = 0; w < WORKERS; w++) {
            DeviceToken t = r.paired().token(role(w));
            assertNotNull(t);
            assertTrue(t.matches(hotSecrets[h][w]),
                "hot device " + h + ", role " + role(w) + ": last acknowledged rotation");
            assertFalse(t.isRevoked());
            acks += hotAcks[h][w];
          }
          assertEquals(hotVersions[h] + acks, r.version(),
              "hot device " + h + ": one version per acknowledged rotation");
        }
        int checked = 0;
        for (int w = 0; w < WORKERS; w++) {
          List<Owned> all = new ArrayList<>(owned.get(w));
          all.addAll(retired.get(w));
          for (Owned o : all) {
            checkFinal(checker.load(o.key.deviceId()), o);
            checked++;
          }
        }
        assertTrue(checked >= WORKERS * OWNED_DEVICES_PER_WORKER);
      }
    } finally {
      for (JdbcPairingStore s : stores) {
        s.close();
      }
      ns.drop();
    }
  }

  private static void checkFinal(Optional<DeviceRecord> found, Owned o) {
    String what = "device " + o.key.deviceId() + " in phase " + o.phase;
    switch (o.phase) {
      case NEW -> assertEquals(Optional.empty(), found, what);
      case PENDING -> {
        DeviceRecord r = found.orElseThrow();
        assertNotNull(r.pending(), what);
        assertEquals(o.requestId, r.pending().requestId(), what);
        assertFalse(r.blocked(), what);
      }
      case PAIRED, REVOKED -> {
        DeviceRecord r = found.orElseThrow();
        DeviceToken t = r.paired().token(Role.OPERATOR);
        assertTrue(t.matches(o.secret), what);
        assertEquals(o.phase == Phase.REVOKED, t.isRevoked(), what);
        assertFalse(r.blocked(), what);
      }
      case BLOCKED -> assertTrue(found.orElseThrow().blocked(), what);
      default -> throw new AssertionError(o.phase);
    }
  }

  /** One worker: its owned devices, its role on the hot devices, and its acknowledged log. */
  private static final class Worker {
    final int id;
    final List<PairingService> services;
    final List<Owned> mine;
    final List<Owned> retired;
    final List<DeviceKeyPair> hot;
    final String[][] hotSecrets;
    final int[][] hotAcks;
    final Random rnd;
    final RandomSource keys;

    Worker(int id, List<PairingService> services, List<Owned> mine, List<Owned> retired,
        List<DeviceKeyPair> hot, String[][] hotSecrets, int[][] hotAcks, Random rnd,
        RandomSource keys) {
      this.id = id;
      this.services = services;
      this.mine = mine;
      this.retired = retired;
      this.hot = hot;
      this.hotSecrets = hotSecrets;
      this.hotAcks = hotAcks;
      this.rnd = rnd;
      this.keys = keys;
    }

    PairingService any() {
      return services.get(rnd.nextInt(services.size()));
    }

    /** One operation; returns whether it was a hot-device rotation. */
    boolean step() {
      if (rnd.nextInt(5) == 0) {
        rotateHot();
        return true;
      }
      int slot = rnd.nextInt(mine.size());
      Owned o = mine.get(slot);
      switch (o.phase) {
        case NEW, REVOKED -> requestPairing(o, any());
        case PENDING -> {
          if (rnd.nextInt(4) == 0) {
            PairingRequired pr = expect(PairingRequired.class,
                Devices.connect(any(), o.key, Role.OPERATOR, SCOPES), o);
            assertEquals(o.requestId, pr.requestId(), "a covered connect keeps the request id");
          } else {
            approve(o);
          }
        }
        case PAIRED -> {
          int r = rnd.nextInt(20);
          if (r < 10) {
            Allowed a = expect(Allowed.class, Devices.connect(any(), o.key, Role.OPERATOR, SCOPES),
                o);
            assertTrue(a.token().matches(o.secret));
            assertTrue(a.secret().isEmpty(), "a reused token's secret is never delivered");
          } else if (r < 14) {
            rotate(o);
          } else if (r < 17) {
            revoke(o);
          } else {
            block(o, slot);
          }
        }
        default -> throw new AssertionError(o.phase);
      }
      return false;
    }

    void requestPairing(Owned o, PairingService via) {
      PairingRequired pr = expect(PairingRequired.class,
          Devices.connect(via, o.key, Role.OPERATOR, SCOPES), o);
      assertEquals(o.phase == Phase.NEW ? UpgradeReason.NOT_PAIRED : UpgradeReason.ROLE_UPGRADE,
          pr.reason());
      assertEquals(ConnectResult.RequestChange.CREATED, pr.requestChange());
      o.phase = Phase.PENDING;
      o.requestId = pr.requestId();
      // every instance sees the same open request
      for (PairingService s : services) {
        PairingRequired again = expect(PairingRequired.class,
            Devices.connect(s, o.key, Role.OPERATOR, SCOPES), o);
        assertEquals(o.requestId, again.requestId(), "instances disagree on the open request");
      }
    }

    void approve(Owned o) {
      Approval a = any().approve(o.requestId, Approver.admin("worker-" + id));
      assertFalse(a.alreadyApproved());
      o.phase = Phase.PAIRED;
      assertTrue(a.device().token(Role.OPERATOR).awaitingIssue());
      o.secret = "";
      for (PairingService s : services) { // checker: the approval holds on every instance
        Allowed allowed = expect(Allowed.class,
            Devices.connect(s, o.key, Role.OPERATOR, SCOPES), o);
        if (o.secret.isEmpty()) { // the first connect mints the secret and delivers it
          o.secret = allowed.secret().orElseThrow().value();
        } else {
          assertTrue(allowed.secret().isEmpty(), "minted twice");
        }
        assertTrue(allowed.token().matches(o.secret), "stale token after approval");
      }
    }

    void rotate(Owned o) {
      String old = o.secret;
      o.secret = any().rotate(o.key.deviceId(), Role.OPERATOR).secret().value();
      for (PairingService s : services) { // the new secret works on every instance
        expect(Allowed.class, Devices.connect(s, o.key, Role.OPERATOR, SCOPES,
            AuthMethod.DEVICE_TOKEN, o.secret), o);
      }
      Rejected r = expect(Rejected.class, Devices.connect(any(), o.key, Role.OPERATOR, SCOPES,
          AuthMethod.DEVICE_TOKEN, old), o);
      assertEquals(ErrorCode.TOKEN_MISMATCH, r.code(), "rotated-away secret still accepted");
    }

    void revoke(Owned o) {
      assertTrue(any().revoke(o.key.deviceId(), Role.OPERATOR).isRevoked());
      o.phase = Phase.REVOKED;
      for (PairingService s : services) { // checker: no instance accepts the revoked token
        Rejected r = expect(Rejected.class, Devices.connect(s, o.key, Role.OPERATOR, SCOPES,
            AuthMethod.DEVICE_TOKEN, o.secret), o);
        assertEquals(ErrorCode.TOKEN_REVOKED, r.code(), "revoked token still accepted");
      }
    }

    void block(Owned o, int slot) {
      any().block(o.key.deviceId());
      o.phase = Phase.BLOCKED;
      for (PairingService s : services) { // checker: every instance rejects the device
        Rejected r = expect(Rejected.class,
            Devices.connect(s, o.key, Role.OPERATOR, SCOPES), o);
        assertEquals(ErrorCode.BLOCKED, r.code(), "blocked device not rejected");
      }
      retired.add(o);
      mine.set(slot, new Owned(DeviceKeyPair.generate(keys)));
    }

    void rotateHot() {
      int h = rnd.nextInt(hot.size());
      DeviceKeyPair k = hot.get(h);
      Role role = role(id);
      String old = hotSecrets[h][id];
      io.pairgate.IssuedToken it = any().rotate(k.deviceId(), role);
      String fresh = it.secret().value();
      hotSecrets[h][id] = fresh;
      hotAcks[h][id]++;
      PairingService s = any();
      expect(Allowed.class, Devices.connect(s, k, role, List.of(), AuthMethod.DEVICE_TOKEN,
          fresh), null);
      Rejected r = expect(Rejected.class, Devices.connect(s, k, role, List.of(),
          AuthMethod.DEVICE_TOKEN, old), null);
      assertEquals(ErrorCode.TOKEN_MISMATCH, r.code());
    }

    private static <T extends ConnectResult> T expect(Class<T> type, ConnectResult r,
        Owned o) {
      if (!type.isInstance(r)) {
        throw new AssertionError("expected " + type.getSimpleName() + " but got " + r
            + (o == null ? "" : " for device in phase " + o.phase));
      }
      return type.cast(r);
    }
  }
}
