package io.pairgate.bench;

import io.pairgate.DeviceId;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairedDevice;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.TokenCheck;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
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
 * The non-cryptographic decision for a paired device asking for 6 scopes, over 10 000 paired
 * devices looked up in a shuffled order.
 *
 * <p>{@code PairingService.connect} does not expose its decision without the proof check, so
 * {@link #decide} measures what the public API offers for the same work: {@code verifyToken} (store
 * load, role check, constant-time token compare, token-within-baseline and request-within-token
 * scope checks) plus one more {@code ScopePolicy.allows} of the 6 requested scopes against the
 * approved baseline. Its limit {@link #limitMapMask} is a bare {@code ConcurrentHashMap.get} plus a
 * role bit and a scope bitmask check. {@link #decideFromStrings} and {@link #limitMapMaskFromStrings}
 * start from the strings a frame carries (device id, 6 scope names, token).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DecideBench {
  static final int DEVICES = 10_000;
  private static final long OPERATOR_BIT = 1L;

  private InMemoryPairingStore store;
  private PairingService service;
  private PairedDevice[] devices;
  private ScopePolicy policy;
  private DeviceId[] ids;
  private String[] idStrings;
  private String[] tokens;
  private ScopeSet[] baselines;
  private ScopeSet requested;
  private List<String> requestedNames;
  private int[] order;
  private int cursor;

  private ConcurrentHashMap<String, Grant> grants;
  private Map<String, Long> scopeBits;
  private long requestedMask;

  /** What the baseline keeps per device: role bits, scope bits and the token bytes. */
  record Grant(long roleMask, long scopeMask, byte[] token) {}

  /** Pairs the devices through the public API and builds the baseline map from the same data. */
  @Setup(Level.Trial)
  public void setUp() {
    store = new InMemoryPairingStore();
    service = PairingService.builder(store).build();
    policy = service.scopePolicy();
    ids = new DeviceId[DEVICES];
    idStrings = new String[DEVICES];
    tokens = new String[DEVICES];
    baselines = new ScopeSet[DEVICES];
    grants = new ConcurrentHashMap<>();
    scopeBits = new HashMap<>();
    for (int b = 0; b < Fleet.SIX_SCOPES.size(); b++) {
      scopeBits.put(Fleet.SIX_SCOPES.get(b), 1L << b);
    }
    requestedNames = Fleet.SIX_SCOPES;
    requested = ScopeSet.parse(requestedNames);
    requestedMask = 0;
    for (String s : requestedNames) {
      requestedMask |= scopeBits.get(s);
    }
    Fleet.Paired[] paired = Fleet.pairMany(service, 0, DEVICES, Clock.systemUTC(), true, true);
    for (int i = 0; i < DEVICES; i++) {
      Fleet.Paired p = paired[i];
      ids[i] = p.id();
      idStrings[i] = Fleet.fresh(p.id().value());
      tokens[i] = Fleet.fresh(p.token());
      baselines[i] = p.baseline();
      long mask = 0;
      for (String s : p.baseline().names()) {
        mask |= scopeBits.get(s);
      }
      grants.put(
          Fleet.fresh(p.id().value()),
          new Grant(OPERATOR_BIT, mask, p.token().getBytes(StandardCharsets.UTF_8)));
    }
    devices = new PairedDevice[DEVICES];
    for (int i = 0; i < DEVICES; i++) {
      devices[i] = service.device(ids[i]).orElseThrow();
    }
    order = new int[DEVICES];
    for (int i = 0; i < DEVICES; i++) {
      order[i] = i;
    }
    SplittableRandom rnd = new SplittableRandom(42);
    for (int i = DEVICES - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int i = 0; i < DEVICES; i++) {
      if (!decide() || !decideFromStrings() || !limitMapMask() || !limitMapMaskFromStrings()) {
        throw new IllegalStateException("a benchmark path does not allow device " + i);
      }
    }
  }

  private int next() {
    int k = order[cursor];
    cursor = cursor + 1 == DEVICES ? 0 : cursor + 1;
    return k;
  }

  /** verifyToken plus the baseline check, on parsed values a session already holds. */
  @Benchmark
  public boolean decide() {
    int k = next();
    boolean ok =
        service.verifyToken(ids[k], Role.OPERATOR, tokens[k], requested) == TokenCheck.OK
            && policy.allows(Role.OPERATOR, requested, baselines[k]);
    if (!ok) {
      throw new IllegalStateException("refused");
    }
    return ok;
  }

  /** The same decision starting from the strings of a frame: parse the id and the 6 scopes. */
  @Benchmark
  public boolean decideFromStrings() {
    int k = next();
    DeviceId id = DeviceId.parse(idStrings[k]);
    ScopeSet req = ScopeSet.parse(requestedNames);
    boolean ok =
        service.verifyToken(id, Role.OPERATOR, tokens[k], req) == TokenCheck.OK
            && policy.allows(Role.OPERATOR, req, baselines[k]);
    if (!ok) {
      throw new IllegalStateException("refused");
    }
    return ok;
  }

  // Parts of decide, for the breakdown in Interleaved (not JMH benchmarks).

  /** Part: the store lookup alone. */
  boolean partStoreLoad() {
    return store.load(ids[next()]).isPresent();
  }

  /** Part: the three 6-scope {@code ScopePolicy.allows} checks of decide, on a loaded device. */
  boolean partScopeChecks() {
    PairedDevice p = devices[next()];
    ScopeSet t = p.tokens().get(Role.OPERATOR).scopes();
    return policy.allows(Role.OPERATOR, t, p.approvedScopes())
        && policy.allows(Role.OPERATOR, requested, t)
        && policy.allows(Role.OPERATOR, requested, p.approvedScopes());
  }

  /** Part: the constant-time token comparison. */
  boolean partTokenMatch() {
    int k = next();
    return devices[k].tokens().get(Role.OPERATOR).matches(tokens[k]);
  }

  /** Limit: {@code ConcurrentHashMap.get}, a role bit and a scope bitmask subset check. */
  @Benchmark
  public boolean limitMapMask() {
    int k = next();
    Grant g = grants.get(idStrings[k]);
    return g != null && (g.roleMask() & OPERATOR_BIT) != 0 && (requestedMask & ~g.scopeMask()) == 0;
  }

  /**
   * Limit from strings: map get, role bit, the 6 scope names mapped to bits through a
   * {@code HashMap}, subset check, and a constant-time compare of the token bytes.
   */
  @Benchmark
  public boolean limitMapMaskFromStrings() {
    int k = next();
    Grant g = grants.get(idStrings[k]);
    if (g == null || (g.roleMask() & OPERATOR_BIT) == 0) {
      return false;
    }
    long mask = 0;
    for (int i = 0; i < requestedNames.size(); i++) {
      Long bit = scopeBits.get(requestedNames.get(i));
      if (bit == null) {
        return false;
      }
      mask |= bit;
    }
    return (mask & ~g.scopeMask()) == 0
        && MessageDigest.isEqual(g.token(), tokens[k].getBytes(StandardCharsets.UTF_8));
  }
}
