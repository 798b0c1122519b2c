package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.ErrorCode;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.ProofPayload;
import io.pairgate.RequestId;
import io.pairgate.Role;
import io.pairgate.VirtualClock;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Many threads hammering first connects (each from a new device key, so each would create a
 * pending request) at one {@link PairingService} over a store, to check that the request flood
 * limits of R12.1 are exact under concurrency: the pending set never exceeds {@code maxPending},
 * the remote peers never exceed {@code maxPending − localPendingReserve}, no address and no IPv6
 * /64 exceeds {@code maxPendingPerAddress}, and every refused connect wrote nothing.
 *
 * <p>The store is wrapped so that each pending count pauses briefly after reading (as a count over
 * the network does), which widens the window between counting and writing in which concurrent
 * creations used to slip past the caps.
 */
final class PendingCapHarness {
  /** Guards against a deadlock hanging the build; not a performance bound. */
  private static final long SAFETY_NET_MINUTES = 5;

  static final int MAX_PENDING = 24;
  static final int LOCAL_RESERVE = 4;
  static final int PER_ADDRESS = 3;

  private PendingCapHarness() {}

  /**
   * Runs the storm on {@code store}: {@code threads} threads, first remote connects (six IPv4
   * addresses and many addresses of one IPv6 /64) until the remote share is full, then local
   * ones (three loopback addresses) until the whole cap is; asserts the caps after each phase.
   */
  static void run(PairingStore store, int threads, int attemptsPerThread)
      throws InterruptedException {
    PairingStore slow = new SlowCounting(store);
    VirtualClock clock = VirtualClock.at(SampleRecords.at(10_000).toEpochMilli());
    PairingService service = PairingService.builder(slow)
        .clock(clock)
        .randomSource(SeededRandomSource.of(7))
        .autoApproveLocal(false)
        .maxPending(MAX_PENDING)
        .localPendingReserve(LOCAL_RESERVE)
        .maxPendingPerAddress(PER_ADDRESS)
        .auditLogging(false)
        .build();
    String run = Long.toHexString(System.identityHashCode(store));
    List<String> remote = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      remote.add("198.51.100." + i);
    }
    AtomicInteger v6 = new AtomicInteger();
    storm(service, store, clock, "remote-" + run, threads, attemptsPerThread,
        n -> n % 4 == 3 ? "2001:db8:7:7::" + Integer.toHexString(v6.incrementAndGet())
            : remote.get(n % remote.size()));
    Instant now = clock.instant();
    int shared = MAX_PENDING - LOCAL_RESERVE;
    List<PendingRequest> pending = pending(store, now);
    assertEquals(shared, pending.size(),
        "the remote storm fills the remote share exactly: no more (the cap) and no less (6 x "
            + PER_ADDRESS + " IPv4 + " + PER_ADDRESS + " in the /64 > " + shared + ")");
    assertPerAddress(store, pending, now);
    storm(service, store, clock, "local-" + run, threads, attemptsPerThread,
        n -> "127.0.0." + (1 + n % 3));
    pending = pending(store, now);
    assertEquals(MAX_PENDING, pending.size(),
        "the local storm fills the reserve exactly, never beyond maxPending");
    assertPerAddress(store, pending, now);
  }

  private interface Addresses {
    String of(int attempt);
  }

  private static void storm(PairingService service, PairingStore store, VirtualClock clock,
      String tag, int threads, int attemptsPerThread, Addresses addresses)
      throws InterruptedException {
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    AtomicInteger next = new AtomicInteger();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      all.add(new Thread(() -> {
        try {
          start.await();
          for (int j = 0; j < attemptsPerThread; j++) {
            int n = next.getAndIncrement();
            DeviceKeyPair key = SampleRecords.keyPair("cap-" + tag + "-" + n);
            ConnectResult r = service.connect(attempt(service, key, addresses.of(n), clock));
            if (r instanceof ConnectResult.Rejected rej) {
              assertEquals(ErrorCode.TOO_MANY_PENDING, rej.code(), rej.message());
              assertEquals(Optional.empty(), store.load(key.deviceId()),
                  "a refused first connect writes nothing");
            } else {
              assertTrue(r instanceof ConnectResult.PairingRequired, r.toString());
            }
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }, "pairgate-contract-cap-" + t));
    }
    all.forEach(Thread::start);
    start.countDown();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(SAFETY_NET_MINUTES);
    for (Thread th : all) {
      th.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (th.isAlive()) {
        all.forEach(Thread::interrupt);
        throw new AssertionError(th.getName() + " did not finish: the service appears deadlocked");
      }
    }
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("a connecting thread failed: " + errors.peek());
      errors.forEach(e::addSuppressed);
      throw e;
    }
  }

  private static ConnectAttempt attempt(PairingService service, DeviceKeyPair key, String peer,
      VirtualClock clock) {
    Challenge ch = service.issueChallenge();
    long now = clock.millis();
    String token = "gateway-shared-token";
    ClientInfo client = new ClientInfo("cli", "cli", "linux", "", "", "");
    String payload = ProofPayload.v3(key.deviceId().value(), client.clientId(), client.clientMode(),
        "operator", List.of("operator.read"), now, token, ch.nonce(), client.platform(),
        client.deviceFamily());
    return ConnectAttempt.builder()
        .device(key.deviceId().value(), key.publicKey().base64Url())
        .role(Role.OPERATOR)
        .scopes(List.of("operator.read"))
        .client(client)
        .proof(key.sign(payload), now, ch.nonce())
        .challenge(ch)
        .auth(AuthMethod.SHARED_TOKEN, token)
        .peerAddress(peer)
        .headers(Map.of("host", "localhost:18789"))
        .build();
  }

  private static List<PendingRequest> pending(PairingStore store, Instant now) {
    List<PendingRequest> out = new ArrayList<>();
    String after = "";
    while (true) {
      List<DeviceRecord> page = store.list(after, 200);
      for (DeviceRecord r : page) {
        if (r.pending() != null && !r.pending().isExpired(now)) {
          out.add(r.pending());
        }
      }
      if (page.size() < 200) {
        return out;
      }
      after = page.get(page.size() - 1).deviceId().value();
    }
  }

  private static void assertPerAddress(PairingStore store, List<PendingRequest> pending,
      Instant now) {
    Map<String, Integer> by = new HashMap<>();
    IpRange slash64 = IpRange.parse("2001:db8:7:7::/64");
    int inPrefix = 0;
    for (PendingRequest p : pending) {
      if (PendingCount.inRange(slash64, p.remoteAddress())) {
        inPrefix++;
      } else {
        by.merge(p.remoteAddress(), 1, Integer::sum);
      }
    }
    by.forEach((address, n) -> assertTrue(n <= PER_ADDRESS,
        n + " pending requests from " + address + " (maxPendingPerAddress=" + PER_ADDRESS + ")"));
    assertTrue(inPrefix <= PER_ADDRESS, inPrefix + " pending requests from " + slash64
        + " (maxPendingPerAddress=" + PER_ADDRESS + ")");
    assertEquals(new PendingCount(pending.size(), inPrefix), store.countPending(slash64, now),
        "the store's count agrees with its records");
  }

  /** Forwards everything; each pending count pauses for a fraction of a millisecond after it. */
  private static final class SlowCounting implements PairingStore {
    private final PairingStore store;

    SlowCounting(PairingStore store) {
      this.store = store;
    }

    private static <T> T slowly(T counted) {
      LockSupport.parkNanos(300_000);
      return counted;
    }

    @Override
    public Optional<DeviceRecord> load(DeviceId deviceId) {
      return store.load(deviceId);
    }

    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
      return store.findByRequestId(requestId);
    }

    @Override
    public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
      return store.compareAndSet(expectedVersion, next);
    }

    @Override
    public List<DeviceRecord> list(String afterDeviceId, int limit) {
      return store.list(afterDeviceId, limit);
    }

    @Override
    public void touch(DeviceId deviceId, Role role, Instant at) {
      store.touch(deviceId, role, at);
    }

    @Override
    public PendingCount countPending(String remoteAddress, Instant now) {
      return slowly(store.countPending(remoteAddress, now));
    }

    @Override
    public PendingCount countPending(IpRange range, Instant now) {
      return slowly(store.countPending(range, now));
    }
  }
}
