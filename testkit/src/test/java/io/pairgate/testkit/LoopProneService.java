package io.pairgate.testkit;

import io.pairgate.RequestId;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.RandomSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A test double reproducing OpenClaw 2026.2.19's pairing behaviour (reference §5.2), so that the
 * convergence checker can be shown to detect the scope-upgrade loop. Each bug can be switched on
 * separately; {@link #openClaw2026_2_19} switches all of them on.
 */
final class LoopProneService implements ConvergenceChecker.Subject {
  enum Bug {
    /** {@code rotateDeviceToken(…, scopes)} sets the approval baseline to the rotated scopes. */
    ROTATION_OVERWRITES_BASELINE,
    /** {@code upsertPendingPairingRequest} returns an existing request unchanged (first wins). */
    FIRST_WINS_PENDING,
    /** The handshake compares scopes by set membership instead of the implication relation. */
    STRICT_MEMBERSHIP,
    /** Token ensure and approval mint tokens with exactly the current request's scopes. */
    EXACT_TOKEN_REMINT
  }

  private record Pend(RequestId id, Set<Role> roles, ScopeSet scopes, UpgradeReason reason) {}

  private static final class Dev {
    final Set<Role> roles = new TreeSet<>();
    ScopeSet scopes = ScopeSet.empty();
    boolean paired;
    final Map<Role, DeviceToken> tokens = new HashMap<>();
    Pend pending;
  }

  private final Set<Bug> bugs;
  private final Clock clock;
  private final RandomSource random;
  private final Map<DeviceId, Dev> devices = new HashMap<>();
  private final ScopePolicy policy = ScopePolicy.openClaw();

  LoopProneService(Set<Bug> bugs, ConvergenceChecker.Environment env) {
    this.bugs = bugs.isEmpty() ? EnumSet.noneOf(Bug.class) : EnumSet.copyOf(bugs);
    this.clock = env.clock();
    this.random = env.random();
  }

  static LoopProneService openClaw2026_2_19(ConvergenceChecker.Environment env) {
    return new LoopProneService(EnumSet.allOf(Bug.class), env);
  }

  private boolean allows(Role role, ScopeSet requested, ScopeSet granted) {
    return bugs.contains(Bug.STRICT_MEMBERSHIP)
        ? granted.containsAll(requested)
        : policy.allows(role, requested, granted);
  }

  private RequestId newId() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return RequestId.of("loop-" + java.util.HexFormat.of().formatHex(b));
  }

  private DeviceToken mint(Role role, ScopeSet scopes) {
    return new DeviceToken(role, scopes, SampleRecords.tokenHash(newId().value()), clock.instant(),
        null, null, null);
  }

  @Override
  public ConnectResult connect(DeviceKeyPair device, Role role, ScopeSet scopes) {
    DeviceId id = device.deviceId();
    Dev d = devices.computeIfAbsent(id, k -> new Dev());
    UpgradeReason reason = null;
    if (!d.paired) {
      reason = UpgradeReason.NOT_PAIRED;
    } else if (!d.roles.contains(role)) {
      reason = UpgradeReason.ROLE_UPGRADE;
    } else if (!allows(role, scopes, d.scopes)) {
      reason = UpgradeReason.SCOPE_UPGRADE;
    }
    if (reason == null) {
      DeviceToken t = d.tokens.get(role);
      boolean issued = false;
      if (t == null || !allows(role, scopes, t.scopes())) {
        t = bugs.contains(Bug.EXACT_TOKEN_REMINT)
            ? mint(role, scopes)
            : t == null ? mint(role, scopes) : t.withScopes(t.scopes().union(scopes));
        d.tokens.put(role, t);
        issued = true;
      }
      return new ConnectResult.Allowed(id.value(), role, scopes, t, java.util.Optional.empty(), issued);
    }
    ConnectResult.RequestChange change;
    Pend p = d.pending;
    if (p != null && (bugs.contains(Bug.FIRST_WINS_PENDING)
        || (p.roles().contains(role) && allows(role, scopes, p.scopes())))) {
      change = ConnectResult.RequestChange.UNCHANGED;
    } else {
      Set<Role> roles = new TreeSet<>(List.of(role));
      ScopeSet union = scopes;
      if (p != null) {
        roles.addAll(p.roles());
        union = union.union(p.scopes());
      }
      change = p == null ? ConnectResult.RequestChange.CREATED
          : ConnectResult.RequestChange.SUPERSEDED;
      p = new Pend(newId(), roles, union, reason);
      d.pending = p;
    }
    List<Scope> missing = new ArrayList<>(scopes.scopes());
    if (d.paired) {
      missing.removeIf(s -> d.scopes.contains(s));
    }
    return new ConnectResult.PairingRequired(id.value(), reason, p.id(), change, role, scopes,
        d.paired ? List.copyOf(d.roles) : List.of(), d.paired ? d.scopes : null, missing,
        Duration.ofSeconds(1));
  }

  @Override
  public void approve(RequestId requestId) {
    for (Dev d : devices.values()) {
      Pend p = d.pending;
      if (p != null && p.id().equals(requestId)) {
        d.paired = true;
        d.roles.addAll(p.roles());
        d.scopes = d.scopes.union(p.scopes());
        for (Role r : p.roles()) {
          ScopeSet forRole = p.scopes().filter(s -> s.belongsTo(r));
          DeviceToken t = d.tokens.get(r);
          d.tokens.put(r, bugs.contains(Bug.EXACT_TOKEN_REMINT) || t == null
              ? mint(r, forRole) : t.withScopes(t.scopes().union(forRole)));
        }
        d.pending = null;
        return;
      }
    }
    throw new PairgateException(ErrorCode.UNKNOWN_REQUEST, "unknown requestId " + requestId);
  }

  @Override
  public DeviceToken rotate(DeviceId device, Role role, ScopeSet scopes) {
    Dev d = devices.get(device);
    if (d == null || !d.paired || !d.roles.contains(role)) {
      throw new PairgateException(ErrorCode.UNKNOWN_ROLE, "unknown device or role");
    }
    if (bugs.contains(Bug.ROTATION_OVERWRITES_BASELINE)) {
      d.scopes = scopes;
    }
    DeviceToken t = mint(role, scopes);
    d.tokens.put(role, t);
    return t;
  }

  @Override
  public Optional<ConvergenceChecker.Baseline> baseline(DeviceId device) {
    Dev d = devices.get(device);
    if (d == null || !d.paired) {
      return Optional.empty();
    }
    return Optional.of(new ConvergenceChecker.Baseline(d.roles, d.roles, d.scopes));
  }

  @Override
  public Optional<ConvergenceChecker.Pending> pending(DeviceId device) {
    Dev d = devices.get(device);
    if (d == null || d.pending == null) {
      return Optional.empty();
    }
    return Optional.of(new ConvergenceChecker.Pending(d.pending.id(), d.pending.roles(),
        d.pending.scopes()));
  }
}
