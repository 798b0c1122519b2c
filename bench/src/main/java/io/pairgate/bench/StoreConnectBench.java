package io.pairgate.bench;

import io.pairgate.AuthMethod;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.ConnectResult.RequestChange;
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
 * {@code connectUnknown} (create) on store-json at 100 and 100 000 devices, H2 and PostgreSQL: one new device's first
 * connect per operation ({@code SingleShotTime}, prepared untimed). It watches how the flood-limit
 * count scales with the fleet: a creating connect calls {@code PairingStore.countPending}, whose
 * SPI default pages through every record (store-json read every device file until it began
 * counting from its in-memory index).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class StoreConnectBench {
  /** Which store: see {@link Stores}. */
  @Param({"json-100", "json-100000", "h2", "postgres"})
  public String store;

  private final Clock clock = Clock.systemUTC();
  private final SplittableRandom random = new SplittableRandom(13);
  private Stores.Opened opened;
  private PairingService service;
  private ConnectAttempt attempt;
  private long created;

  /** Opens the store. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    opened = Stores.open(store);
    service = PairingService.builder(opened.store()).clock(clock).build();
  }

  /** Closes the store. */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    opened.close();
  }

  /** A new key pair, a challenge and a signed first attempt from a new address. */
  @Setup(Level.Iteration)
  public void next() {
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    long a = created++;
    attempt =
        Fleet.attempt(
            service, DeviceKeyPair.fromSeed(seed), Fleet.SIX_SCOPES, Fleet.CLIENT,
            AuthMethod.SHARED_TOKEN, "", clock, false, "198.51.100." + (a & 0xff));
  }

  /** The first connect of a new device: verifies, counts pending requests, writes the request. */
  @Benchmark
  public ConnectResult connectUnknownCreate() {
    return UnknownDeviceBench.expect(service.connect(attempt), RequestChange.CREATED);
  }
}
