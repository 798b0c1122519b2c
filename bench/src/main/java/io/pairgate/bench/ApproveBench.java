package io.pairgate.bench;

import io.pairgate.Approval;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairingService;
import java.time.Clock;
import java.util.SplittableRandom;
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
 * each store. The request is created untimed in {@code @Setup(Level.Invocation)} (new key,
 * challenge, signature, connect); the timed call is {@code PairingService.approve} alone, i.e. a
 * lookup by request id, the approval step and one compare-and-set. Compare the durable stores with
 * {@link StoreLimits}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ApproveBench {
  /** Which store: see {@link Stores}. */
  @Param({"memory"})
  public String store;

  private final Clock clock = Clock.systemUTC();
  private final SplittableRandom random = new SplittableRandom(11);
  private Stores.Opened opened;
  private PairingService service;
  private String requestId;

  /** Opens the store (pre-filled where the name says so). */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    opened = Stores.open(store);
    service = PairingService.builder(opened.store()).clock(clock).build();
    // Warm approve before JMH's warm-up: per-invocation preparation makes JMH call it rarely.
    int warm = opened.durable() ? 200 : 4_000;
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

  /** A new device connects and gets a pending request. */
  @Setup(Level.Invocation)
  public void newRequest() {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    requestId = Fleet.request(service, DeviceKeyPair.fromSeed(seed), clock);
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
