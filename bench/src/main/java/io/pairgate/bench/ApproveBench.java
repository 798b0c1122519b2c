package io.pairgate.bench;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.DeviceId;
import io.pairgate.DevicePublicKey;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@code approve} of a fresh pending request (a new device asking for the 6 operator scopes), on
 * each store. The timed call is {@code PairingService.approve} alone: the lookup by request id, the
 * approval step and one compare-and-set (one durable write on the durable stores).
 *
 * <p>The pending request is put in place untimed in {@code @Setup(Level.Invocation)}, by writing
 * the device's record through the store SPI exactly as a first connect would leave it (a
 * {@code PendingRequest} for {@code operator} with the 6 scopes, reason {@code not-paired}). That
 * keeps the untimed work to one store write and out of the flood limits. (It was first chosen
 * because store-json's creating connect used to count pending requests by reading every device
 * file, many seconds per connect at 100 000 devices; store-json now counts from its index, and
 * {@link StoreConnectBench} watches that.) Compare the durable stores with {@link StoreLimits}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ApproveBench {
  /** Which store: see {@link Stores}. */
  @Param({"memory", "json-100", "json-100000", "h2", "postgres"})
  public String store;

  private final Clock clock = Clock.systemUTC();
  private final SplittableRandom random = new SplittableRandom(11);
  private final ScopeSet scopes = ScopeSet.parse(Fleet.SIX_SCOPES);
  private Stores.Opened opened;
  private PairingService service;
  private RequestId requestId;

  /** Opens the store (pre-filled where the name says so) and warms approve. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    opened = Stores.open(store);
    service = PairingService.builder(opened.store()).clock(clock).build();
    // Warm approve before JMH's warm-up: per-invocation preparation makes JMH call it rarely.
    int warm = opened.durable() ? 50 : 2_000;
    for (int i = 0; i < warm; i++) {
      newRequest();
      approve();
    }
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    opened.close();
  }

  /** A new device's pending request, written as a first connect would leave it. */
  @Setup(Level.Invocation)
  public void newRequest() {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    DevicePublicKey key = DevicePublicKey.ofRaw(raw);
    DeviceId id = DeviceId.of(key);
    Instant now = clock.instant();
    long hi = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    requestId = new RequestId(new UUID(hi, lo).toString());
    PendingRequest p =
        new PendingRequest(
            requestId, id, key, Role.OPERATOR, List.of(Role.OPERATOR), scopes, Fleet.CLIENT,
            Fleet.PEER, now, now, now.plus(Duration.ofMinutes(5)), false, UpgradeReason.NOT_PAIRED);
    if (!opened.store().compareAndSet(0, new DeviceRecord(id, 1, null, p, false, List.of()))) {
      throw new IllegalStateException("device " + id + " already stored");
    }
  }

  /** Approves the pending request. */
  @Benchmark
  public Approval approve() {
    Approval a = service.approve(requestId, Fleet.ADMIN);
    if (a.alreadyApproved()) {
      throw new IllegalStateException("request was already approved");
    }
    return a;
  }
}
