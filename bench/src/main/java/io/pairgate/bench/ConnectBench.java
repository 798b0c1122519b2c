package io.pairgate.bench;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairingService;
import io.pairgate.ProofPayload;
import io.pairgate.VirtualClock;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * A full {@code PairingService.connect} of a paired device (proof verification, in-memory store,
 * device-token auth, 6 scopes, token reused) against its limit: Bouncy Castle decoding the raw
 * public key and verifying the same signature over the same payload bytes, nothing else.
 *
 * <p>A challenge nonce is single use and the device's signature covers it, so every connect needs a
 * new challenge <em>and a new client signature</em>. Signing is the client's work, not the
 * gateway's, so it must not be timed: each invocation's attempt is prepared in
 * {@code @Setup(Level.Invocation)} (issue challenge, sign, build the attempt), and the limit
 * benchmarks use the very same preparation, so both sides are treated alike. JMH then times only
 * the benchmark method (its per-invocation timestamps cost well under 0.1 % of a 60 µs call). The
 * server's own challenge cost is measured separately by {@link #issueChallenge}; the report adds
 * it to connect.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ConnectBench {
  static final int DEVICES = 1_000;
  static final int WARM_UP_CALLS = 2_000;

  /** The gateway: a service on an in-memory store with 1 000 paired devices. */
  @State(Scope.Benchmark)
  public static class Gateway {
    final Clock clock = Clock.systemUTC();
    PairingService service;
    Fleet.Paired[] devices;
    Ed25519PublicKeyParameters[] decodedKeys;

    /** Pairs the devices through connect and approve. */
    @Setup(Level.Trial)
    public void setUp() {
      service = PairingService.builder(new InMemoryPairingStore()).clock(clock).build();
      devices = Fleet.pairMany(service, 0, DEVICES, clock, false, true);
      decodedKeys = new Ed25519PublicKeyParameters[DEVICES];
      for (int i = 0; i < DEVICES; i++) {
        decodedKeys[i] = new Ed25519PublicKeyParameters(devices[i].key().publicKey().rawBytes(), 0);
      }
      // Warm the allowed path before JMH's own warm-up: with per-invocation preparation, JMH
      // calls the method only a few thousand times per second, which is slow to compile.
      for (int i = 0; i < WARM_UP_CALLS; i++) {
        Fleet.Paired d = devices[i % DEVICES];
        ConnectAttempt a =
            Fleet.attempt(
                service, d.key(), Fleet.SIX_SCOPES, Fleet.CLIENT, AuthMethod.DEVICE_TOKEN,
                d.token(), clock, i % 4 == 3);
        allowed(service.connect(a));
      }
    }
  }

  /** One connect's input, prepared (untimed) before each invocation. */
  public abstract static class Call {
    int cursor;
    int stride;
    int device;
    ConnectAttempt attempt;
    byte[] rawKey;
    byte[] message;
    byte[] signature;

    void init(ThreadParams tp) {
      cursor = tp.getThreadIndex();
      stride = tp.getThreadCount();
    }

    void prepare(Gateway g, boolean legacyV2) {
      device = cursor;
      cursor = (cursor + stride) % DEVICES;
      Fleet.Paired d = g.devices[device];
      attempt =
          Fleet.attempt(
              g.service, d.key(), Fleet.SIX_SCOPES, Fleet.CLIENT, AuthMethod.DEVICE_TOKEN,
              d.token(), g.clock, legacyV2);
      String payload = legacyV2 ? ProofPayload.v2(attempt) : ProofPayload.v3(attempt);
      message = payload.getBytes(StandardCharsets.UTF_8);
      signature = Base64.getUrlDecoder().decode(attempt.signature());
      rawKey = d.key().publicKey().rawBytes();
    }
  }

  /** A current client's attempt (v3 payload). */
  @State(Scope.Thread)
  public static class V3Call extends Call {
    /** Picks this thread's share of the devices. */
    @Setup(Level.Trial)
    public void start(ThreadParams tp) {
      init(tp);
    }

    /** Issues a challenge and signs a v3 attempt for the next device. */
    @Setup(Level.Invocation)
    public void next(Gateway g) {
      prepare(g, false);
    }
  }

  /** An older client's attempt (v2 payload, which the gateway tries after v3). */
  @State(Scope.Thread)
  public static class V2Call extends Call {
    /** Picks this thread's share of the devices. */
    @Setup(Level.Trial)
    public void start(ThreadParams tp) {
      init(tp);
    }

    /** Issues a challenge and signs a v2 attempt for the next device. */
    @Setup(Level.Invocation)
    public void next(Gateway g) {
      prepare(g, true);
    }
  }

  /** A service whose clock moves 300 ms per challenge, so unused challenges expire and get pruned. */
  @State(Scope.Thread)
  public static class Issuer {
    VirtualClock clock;
    PairingService service;

    /** Builds the service. */
    @Setup(Level.Trial)
    public void setUp() {
      clock = VirtualClock.at(Instant.parse("2026-01-01T00:00:00Z"));
      service = PairingService.builder(new InMemoryPairingStore()).clock(clock).build();
    }
  }

  private static ConnectResult allowed(ConnectResult r) {
    if (r instanceof ConnectResult.Allowed a && !a.tokenIssued()) {
      return r;
    }
    throw new IllegalStateException("expected allowed with the token reused, got " + r);
  }

  static boolean decodeAndVerify(Call c) {
    Ed25519PublicKeyParameters key = new Ed25519PublicKeyParameters(c.rawKey, 0);
    Ed25519Signer v = new Ed25519Signer();
    v.init(false, key);
    v.update(c.message, 0, c.message.length);
    if (!v.verifySignature(c.signature)) {
      throw new IllegalStateException("signature does not verify");
    }
    return true;
  }

  /** Full connect, 1 thread. */
  @Benchmark
  @Threads(1)
  public ConnectResult connect(Gateway g, V3Call c) {
    return allowed(g.service.connect(c.attempt));
  }

  /** Full connect, 2 threads on one service (total throughput). */
  @Benchmark
  @Threads(2)
  public ConnectResult connect2t(Gateway g, V3Call c) {
    return allowed(g.service.connect(c.attempt));
  }

  /** Full connect of a client signing the older v2 payload (1 thread). */
  @Benchmark
  @Threads(1)
  public ConnectResult connectLegacyV2(Gateway g, V2Call c) {
    return allowed(g.service.connect(c.attempt));
  }

  /** Limit: Bouncy Castle decode of the raw key plus verify of the same payload, 1 thread. */
  @Benchmark
  @Threads(1)
  public boolean limitBcDecodeVerify(V3Call c) {
    return decodeAndVerify(c);
  }

  /** Limit, 2 threads (total throughput). */
  @Benchmark
  @Threads(2)
  public boolean limitBcDecodeVerify2t(V3Call c) {
    return decodeAndVerify(c);
  }

  /** Reference: Bouncy Castle verify with an already decoded key (what a key cache can reach). */
  @Benchmark
  @Threads(1)
  public boolean refBcVerifyCachedKey(Gateway g, V3Call c) {
    Ed25519Signer v = new Ed25519Signer();
    v.init(false, g.decodedKeys[c.device]);
    v.update(c.message, 0, c.message.length);
    if (!v.verifySignature(c.signature)) {
      throw new IllegalStateException("signature does not verify");
    }
    return true;
  }

  /** The server's per-connection challenge. */
  @Benchmark
  @Threads(1)
  public Challenge issueChallenge(Issuer i) {
    i.clock.advance(Duration.ofMillis(300));
    return i.service.issueChallenge();
  }
}
