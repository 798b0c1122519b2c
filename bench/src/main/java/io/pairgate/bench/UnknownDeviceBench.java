package io.pairgate.bench;

import io.pairgate.RequestId;
import io.pairgate.AuthMethod;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.ConnectResult.RequestChange;
import io.pairgate.DeviceKeyPair;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairingService;
import io.pairgate.VirtualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code connectUnknown}: an unknown device's connect, which verifies the proof and creates its
 * pending request ({@link #connectUnknownCreate}: a new key every time, so its decoded key is not
 * cached), or refreshes it ({@link #connectUnknownRefresh}: the same device again after the refresh
 * interval, so the request's expiry is extended and stored). In-memory store, default service
 * options. As in {@link ConnectBench}, the attempt (new key, challenge, client signature) is
 * prepared untimed in {@code @Setup(Level.Invocation)}; compare with
 * {@code ConnectBench.limitBcDecodeVerify}.
 *
 * <p>Creating a request is subject to the flood limits (default: at most 1 000 pending requests,
 * 16 per client address), and checking them counts the pending requests. The create benchmark
 * therefore keeps a steady population of {@value #STEADY_PENDING} pending requests, from client
 * addresses shared by 8 devices each: before each invocation the oldest request beyond that is
 * rejected (untimed), as an operator or expiry would.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class UnknownDeviceBench {
  static final int WARM_UP_CALLS = 2_000;
  static final int STEADY_PENDING = 500;

  /** A new device per invocation, with a steady population of pending requests. */
  @State(Scope.Thread)
  public static class NewDevice {
    final Clock clock = Clock.systemUTC();
    final SplittableRandom random = new SplittableRandom(7);
    final ArrayDeque<RequestId> pending = new ArrayDeque<>();
    PairingService service;
    ConnectAttempt attempt;
    long created;

    /** Warms the create path (per-invocation preparation makes JMH's own warm-up slow). */
    @Setup(Level.Trial)
    public void warmUp() {
      newStore();
      for (int i = 0; i < WARM_UP_CALLS; i++) {
        next();
        record(expect(service.connect(attempt), RequestChange.CREATED));
      }
    }

    /** A fresh service and store for each iteration, so the store does not grow without bound. */
    @Setup(Level.Iteration)
    public void newStore() {
      service = PairingService.builder(new InMemoryPairingStore()).clock(clock).build();
      pending.clear();
    }

    /** Trims the pending population, then makes a new key pair, a challenge and an attempt. */
    @Setup(Level.Invocation)
    public void next() {
      while (pending.size() >= STEADY_PENDING) {
        service.reject(pending.removeFirst());
      }
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      DeviceKeyPair key = DeviceKeyPair.fromSeed(seed);
      long a = created++ / 8;
      String peer = "198.51." + ((a >> 8) & 0xff) + "." + (a & 0xff);
      attempt =
          Fleet.attempt(
              service, key, Fleet.SIX_SCOPES, Fleet.CLIENT, AuthMethod.SHARED_TOKEN, "", clock,
              false, peer);
    }

    void record(ConnectResult r) {
      pending.addLast(((ConnectResult.PairingRequired) r).requestId());
    }
  }

  /** One unknown device with a pending request; the clock moves past the refresh interval. */
  @State(Scope.Thread)
  public static class PendingDevice {
    final VirtualClock clock = VirtualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
    PairingService service;
    DeviceKeyPair key;
    ConnectAttempt attempt;

    /** Creates the pending request and warms the refresh path. */
    @Setup(Level.Trial)
    public void setUp() {
      service = PairingService.builder(new InMemoryPairingStore()).clock(clock).build();
      key = Fleet.key(1_000_000);
      Fleet.request(service, key, clock);
      for (int i = 0; i < WARM_UP_CALLS; i++) {
        next();
        expect(service.connect(attempt), RequestChange.REFRESHED);
      }
    }

    /** Moves 31 s on (the default refresh interval is 30 s) and signs the next attempt. */
    @Setup(Level.Invocation)
    public void next() {
      clock.advance(Duration.ofSeconds(31));
      attempt =
          Fleet.attempt(
              service, key, Fleet.SIX_SCOPES, Fleet.CLIENT, AuthMethod.SHARED_TOKEN, "", clock,
              false);
    }
  }

  static ConnectResult expect(ConnectResult r, RequestChange change) {
    if (r instanceof ConnectResult.PairingRequired p && p.requestChange() == change) {
      return r;
    }
    throw new IllegalStateException("expected pairing required / " + change + ", got " + r);
  }

  /** An unknown device's first connect: creates its pending request. */
  @Benchmark
  public ConnectResult connectUnknownCreate(NewDevice d) {
    ConnectResult r = expect(d.service.connect(d.attempt), RequestChange.CREATED);
    d.record(r);
    return r;
  }

  /** The same unknown device again, past the refresh interval: refreshes its pending request. */
  @Benchmark
  public ConnectResult connectUnknownRefresh(PendingDevice d) {
    return expect(d.service.connect(d.attempt), RequestChange.REFRESHED);
  }
}
