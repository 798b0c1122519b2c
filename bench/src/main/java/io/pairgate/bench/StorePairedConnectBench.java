package io.pairgate.bench;

import io.pairgate.AuthMethod;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.PairingService;
import java.time.Clock;
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
 * {@code connect} of a paired device on each store: proof verification, one store read, token
 * reused, no write (R4.9). The attempt (challenge, client signature) is prepared untimed per
 * invocation, as in {@link ConnectBench}; compare with {@code ConnectBench.refBcDecodeAndVerify}
 * for the verify floor and with {@code memory} for what the store's read adds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class StorePairedConnectBench {
  static final int DEVICES = 100;

  /** Which store: see {@link Stores}. */
  @Param({"memory", "json-100", "h2", "postgres"})
  public String store;

  private final Clock clock = Clock.systemUTC();
  private Stores.Opened opened;
  private PairingService service;
  private Fleet.Paired[] devices;
  private ConnectAttempt attempt;
  private int cursor;

  /** Opens the store and pairs the devices through the API. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    opened = Stores.open(store);
    service = PairingService.builder(opened.store()).clock(clock).build();
    devices = Fleet.pairMany(service, 20_000_000, DEVICES, clock, false, true);
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    opened.close();
  }

  /** Issues a challenge and signs the next device's attempt (device-token auth, six scopes). */
  @Setup(Level.Invocation)
  public void next() {
    Fleet.Paired d = devices[cursor];
    cursor = (cursor + 1) % DEVICES;
    attempt = Fleet.attempt(service, d.key(), Fleet.SIX_SCOPES, Fleet.CLIENT,
        AuthMethod.DEVICE_TOKEN, d.token(), clock, false);
  }

  /** The connect; fails the run if it is not allowed. */
  @Benchmark
  public ConnectResult connectPaired() {
    ConnectResult r = service.connect(attempt);
    if (!(r instanceof ConnectResult.Allowed)) {
      throw new IllegalStateException("expected allowed, got " + r);
    }
    return r;
  }
}
