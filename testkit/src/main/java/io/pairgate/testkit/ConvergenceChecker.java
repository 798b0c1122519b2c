package io.pairgate.testkit;

import io.pairgate.RequestId;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairedDevice;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.VirtualClock;
import io.pairgate.spi.RandomSource;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks that the scope-upgrade loop (OpenClaw #21688) cannot happen: simulated clients of several
 * devices reconnect at a fixed cadence, each with a profile (role and scopes) from a finite set;
 * an approver periodically approves the latest pending request and sometimes rotates a device's
 * token to a narrower grant. The checker asserts the convergence properties P1–P7 of the
 * reference (openclaw-pairing.md §5.3) after every event, and that the same seed gives a
 * byte-identical trace:
 *
 * <ul>
 *   <li><b>P1</b> one approval suffices: after approving a request, every profile that was told to
 *       wait for it (or for a request it superseded), and every profile from the set it implies,
 *       is allowed; and the pending request always covers the connect that was told to wait for
 *       it (union, not first-wins);
 *   <li><b>P2</b> the baseline (approved roles and scopes) only grows, and only through approval;
 *   <li><b>P3</b> a profile the baseline allows is allowed, without creating or changing a pending
 *       request;
 *   <li><b>P4</b> a connect the pending request already covers gets the same request id; a new id
 *       makes the old one unapprovable;
 *   <li><b>P5</b> the approver can always approve the latest pending request (its path does not
 *       depend on a pending approval of its own);
 *   <li><b>P6</b> tokens stay within the baseline, and an allowed connect never narrows a token or
 *       changes its secret (only rotation does);
 *   <li><b>P7</b> once a request covering the union of a device's profiles is approved, the device
 *       never again needs pairing;
 *   <li><b>DET</b> the trace of two runs with the same seed is byte-identical (compared by SHA-256).
 * </ul>
 *
 * <p>The checker drives a small {@link Subject} interface, so it can check the real
 * {@link PairingService} (through {@link #adapt}) as well as test doubles. When a property fails,
 * the event schedule is shrunk to a short counterexample.
 *
 * <pre>{@code
 * ConvergenceReport r = ConvergenceChecker.checkService(
 *     ConvergenceChecker.Config.defaults(42),
 *     env -> PairingService.builder(new InMemoryPairingStore())
 *         .clock(env.clock()).randomSource(env.random()).build());
 * assertTrue(r.converged(), r::summary);
 * }</pre>
 */
public final class ConvergenceChecker {
  private ConvergenceChecker() {}

  /**
   * What the checker drives: the handful of pairing operations the scope-upgrade loop involves.
   * {@link #adapt} makes one of a real {@link PairingService}.
   */
  public interface Subject {
    /** The device connects with a valid proof, authenticated by the gateway's shared token. */
    ConnectResult connect(DeviceKeyPair device, Role role, ScopeSet scopes);

    /**
     * An operator holding {@code operator.admin} approves the request.
     *
     * @throws io.pairgate.PairgateException if it cannot be approved
     */
    void approve(RequestId requestId);

    /**
     * An operator rotates the device's token for {@code role} to exactly {@code scopes}.
     *
     * @return the new token
     * @throws io.pairgate.PairgateException if the rotation is refused
     */
    DeviceToken rotate(DeviceId device, Role role, ScopeSet scopes);

    /** The device's approval baseline, if it is paired. */
    Optional<Baseline> baseline(DeviceId device);

    /** The device's open (unexpired) request, if any. */
    Optional<Pending> pending(DeviceId device);
  }

  /**
   * A paired device's baseline.
   *
   * @param roles approved roles
   * @param effectiveRoles roles the device may connect as now
   * @param scopes approved scopes
   */
  public record Baseline(Set<Role> roles, Set<Role> effectiveRoles, ScopeSet scopes) {
    /** Copies the sets. */
    public Baseline {
      roles = Set.copyOf(roles);
      effectiveRoles = Set.copyOf(effectiveRoles);
    }
  }

  /**
   * An open request as the checker sees it.
   *
   * @param requestId its id
   * @param roles roles it asks for
   * @param scopes scopes it asks for
   */
  public record Pending(RequestId requestId, Set<Role> roles, ScopeSet scopes) {
    /** Copies the set. */
    public Pending {
      roles = Set.copyOf(roles);
    }
  }

  /**
   * A connect profile: a role and the scopes a client asks for.
   *
   * @param role the role
   * @param scopes the scopes
   */
  public record Profile(Role role, ScopeSet scopes) {
    /** A profile from a role name and scope names. */
    public static Profile of(String role, String... scopes) {
      return new Profile(Role.of(role), ScopeSet.of(scopes));
    }

    @Override
    public String toString() {
      return role + "[" + scopes + "]";
    }
  }

  /**
   * What the simulated clock and randomness are: a subject built from them is deterministic.
   *
   * @param clock the virtual clock, advanced by the checker
   * @param random a source seeded from the run's seed
   */
  public record Environment(VirtualClock clock, RandomSource random) {}

  /**
   * Simulation parameters.
   *
   * @param seed drives every choice: keys, profiles, join times, rotations, the subject's randomness
   * @param devices how many devices
   * @param steps how many ticks (each {@code cadenceMs} of virtual time)
   * @param clientsPerDevice clients per device, each with a profile from {@code profiles}
   * @param cadenceMs how often (virtual milliseconds) every joined client reconnects
   * @param approveEveryTicks the approver acts every this many ticks
   * @param rotateProbability per tick, the chance that the approver rotates a paired device's
   *     operator token to a narrower profile
   * @param profiles the finite set of profiles clients draw from
   * @param policy the scope relation the properties are judged by
   */
  public record Config(
      long seed,
      int devices,
      int steps,
      int clientsPerDevice,
      long cadenceMs,
      int approveEveryTicks,
      double rotateProbability,
      List<Profile> profiles,
      ScopePolicy policy) {

    /** Validates the parameters. */
    public Config {
      profiles = List.copyOf(profiles);
      if (devices < 1 || steps < 1 || clientsPerDevice < 1 || cadenceMs < 1
          || approveEveryTicks < 1 || rotateProbability < 0 || rotateProbability > 1
          || profiles.isEmpty()) {
        throw new IllegalArgumentException("bad convergence config: " + devices + " devices, "
            + steps + " steps, " + clientsPerDevice + " clients per device, cadence " + cadenceMs
            + " ms, approve every " + approveEveryTicks + " ticks, rotate probability "
            + rotateProbability + ", " + profiles.size() + " profiles");
      }
    }

    /**
     * 8 devices, 200 one-second ticks, 3 clients per device joining during the first third, the
     * approver every 3 ticks, rotations with probability 0.05 per tick, {@link #defaultProfiles()},
     * {@link ScopePolicy#openClaw()}.
     */
    public static Config defaults(long seed) {
      return new Config(seed, 8, 200, 3, 1_000, 3, 0.05, defaultProfiles(), ScopePolicy.openClaw());
    }

    /** A copy with another seed. */
    public Config withSeed(long newSeed) {
      return new Config(newSeed, devices, steps, clientsPerDevice, cadenceMs, approveEveryTicks,
          rotateProbability, profiles, policy);
    }

    /** A copy with other sizes. */
    public Config withSize(int newDevices, int newSteps) {
      return new Config(seed, newDevices, newSteps, clientsPerDevice, cadenceMs,
          approveEveryTicks, rotateProbability, profiles, policy);
    }
  }

  /**
   * The profiles of OpenClaw's clients around #21688: per-call least-privilege CLI connects
   * ({@code read}, {@code write}, {@code approvals}, {@code pairing}, {@code talk}), the 2026.2.19
   * CLI default ({@code admin, approvals, pairing}), the later CLI default, admin, read+write, no
   * scopes, and a node host.
   */
  public static List<Profile> defaultProfiles() {
    return List.of(
        Profile.of("operator", "operator.read"),
        Profile.of("operator", "operator.write"),
        Profile.of("operator", "operator.admin"),
        Profile.of("operator", "operator.read", "operator.write"),
        Profile.of("operator", "operator.admin", "operator.approvals", "operator.pairing"),
        Profile.of("operator", "operator.admin", "operator.read", "operator.write",
            "operator.approvals", "operator.pairing"),
        Profile.of("operator", "operator.approvals"),
        Profile.of("operator", "operator.pairing"),
        Profile.of("operator", "operator.talk"),
        Profile.of("operator"),
        Profile.of("node", "node.exec"));
  }

  /**
   * Runs the simulation for {@code config} against subjects made by {@code factory} (called
   * afresh for every run: twice for the determinism check, and once per shrink attempt when a
   * property fails).
   */
  public static ConvergenceReport check(Config config, Function<Environment, Subject> factory) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(factory, "factory");
    Simulation.Schedule schedule = Simulation.schedule(config);
    Simulation.Result first = Simulation.run(config, schedule, factory);
    Simulation.Result second = Simulation.run(config, schedule, factory);
    return ConvergenceReport.of(config, schedule, first, second, factory);
  }

  /** {@link #check} against real services built by {@code factory} (see {@link #adapt}). */
  public static ConvergenceReport checkService(
      Config config, Function<Environment, PairingService> factory) {
    Objects.requireNonNull(factory, "factory");
    return check(config, env -> adapt(factory.apply(env), env.clock()));
  }

  /**
   * {@link #checkService} with a fresh {@link InMemoryPairingStore} per run and the service's
   * default options (audit logging off, so a run prints nothing).
   */
  public static ConvergenceReport checkInMemory(Config config) {
    return checkService(config, env -> PairingService.builder(new InMemoryPairingStore())
        .clock(env.clock())
        .randomSource(env.random())
        .auditLogging(false)
        .build());
  }

  /**
   * Adapts a service: connects sign a v3 proof over a fresh challenge at {@code clock}'s time
   * (client {@code sim/cli/linux}, shared-token auth); approvals are by an {@code operator.admin}
   * approver.
   */
  public static Subject adapt(PairingService service, Clock clock) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(clock, "clock");
    return new Subject() {
      @Override
      public ConnectResult connect(DeviceKeyPair device, Role role, ScopeSet scopes) {
        Challenge ch = service.issueChallenge();
        long now = clock.millis();
        ClientInfo client = ClientInfo.of("sim", "cli", "linux");
        String token = "gateway-shared-token";
        String payload = ProofPayload.v3(device.deviceId().value(), client.clientId(),
            client.clientMode(), role.name(), scopes.names(), now, token, ch.nonce(),
            client.platform(), client.deviceFamily());
        return service.connect(ConnectAttempt.builder()
            .device(device.deviceId().value(), device.publicKey().base64Url())
            .role(role)
            .scopes(scopes.names())
            .client(client)
            .proof(device.sign(payload), now, ch.nonce())
            .challenge(ch)
            .auth(AuthMethod.SHARED_TOKEN, token)
            .peerAddress("203.0.113.7")
            .build());
      }

      @Override
      public void approve(RequestId requestId) {
        service.approve(requestId, Approver.admin("convergence-checker"));
      }

      @Override
      public DeviceToken rotate(DeviceId device, Role role, ScopeSet scopes) {
        return service.rotate(device, role, scopes).token();
      }

      @Override
      public Optional<Baseline> baseline(DeviceId device) {
        return service.device(device).map((PairedDevice p) -> new Baseline(
            Set.copyOf(p.roles()), Set.copyOf(p.effectiveRoles()), p.approvedScopes()));
      }

      @Override
      public Optional<Pending> pending(DeviceId device) {
        return service.pendingRequestOf(device)
            .map(p -> new Pending(p.requestId(), Set.copyOf(p.roles()), p.scopes()));
      }
    };
  }

  /** The device keys a run with {@code seed} uses (derived from the seed). */
  static List<DeviceKeyPair> keys(long seed, int devices) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x6b657973L);
    List<DeviceKeyPair> out = new ArrayList<>();
    for (int i = 0; i < devices; i++) {
      byte[] b = new byte[32];
      r.nextBytes(b);
      out.add(DeviceKeyPair.fromSeed(b));
    }
    return out;
  }

  static Set<Role> roleSet(Set<Role> roles) {
    return new TreeSet<>(roles);
  }
}
