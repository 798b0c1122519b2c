package io.pairgate.testkit;

import io.pairgate.RequestId;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairgateException;
import io.pairgate.ScopePolicy;
import io.pairgate.VirtualClock;
import io.pairgate.testkit.ConvergenceChecker.Baseline;
import io.pairgate.testkit.ConvergenceChecker.Config;
import io.pairgate.testkit.ConvergenceChecker.Environment;
import io.pairgate.testkit.ConvergenceChecker.Pending;
import io.pairgate.testkit.ConvergenceChecker.Profile;
import io.pairgate.testkit.ConvergenceChecker.Subject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** One run of the convergence simulation over an explicit event schedule. */
final class Simulation {
  /** The most violations a run records before it stops (a looping subject produces many). */
  static final int MAX_VIOLATIONS = 500;

  sealed interface Event {}

  /** Time passes by one cadence. */
  record Tick() implements Event {
    @Override
    public String toString() {
      return "tick";
    }
  }

  /** Client {@code client} of device {@code device} reconnects with its profile. */
  record Reconnect(int device, int client, Profile profile) implements Event {
    @Override
    public String toString() {
      return "d" + device + "/c" + client + " connects " + profile;
    }
  }

  /** The approver approves the latest pending request. */
  record ApproveLatest() implements Event {
    @Override
    public String toString() {
      return "approver approves the latest pending request";
    }
  }

  /** The approver rotates the device's token to {@code profile} if the baseline allows it. */
  record Rotate(int device, Profile profile) implements Event {
    @Override
    public String toString() {
      return "approver rotates d" + device + " " + profile;
    }
  }

  /** The events of a run and every client's profile. */
  record Schedule(List<Event> events, List<List<Profile>> clients) {
    Schedule {
      events = List.copyOf(events);
      clients = List.copyOf(clients);
    }

    Schedule withEvents(List<Event> newEvents) {
      return new Schedule(newEvents, clients);
    }
  }

  record Violation(String property, int event, String message) {
    @Override
    public String toString() {
      return property + " at event " + (event + 1) + ": " + message;
    }
  }

  record Result(List<String> trace, List<Violation> violations, int[] reconnectsToConvergence,
      int[] approvals, List<Integer> idsPerUpgrade, boolean[] unionApproved, Map<String, Long> checks) {
    String hash() {
      try {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (String line : trace) {
          md.update(line.getBytes(StandardCharsets.UTF_8));
          md.update((byte) '\n');
        }
        return HexFormat.of().formatHex(md.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private Simulation() {}

  static Schedule schedule(Config cfg) {
    SplittableRandom r = new SplittableRandom(cfg.seed());
    List<List<Profile>> clients = new ArrayList<>();
    int[][] join = new int[cfg.devices()][cfg.clientsPerDevice()];
    for (int d = 0; d < cfg.devices(); d++) {
      List<Profile> ps = new ArrayList<>();
      for (int c = 0; c < cfg.clientsPerDevice(); c++) {
        ps.add(cfg.profiles().get(r.nextInt(cfg.profiles().size())));
        // Half the clients join together with the device's first client (a CLI firing several
        // least-privilege connections at once, #22838); the others join during the first third.
        join[d][c] = c > 0 && r.nextBoolean() ? join[d][0] : r.nextInt(cfg.steps() / 3 + 1);
      }
      clients.add(List.copyOf(ps));
    }
    List<Event> events = new ArrayList<>();
    for (int t = 0; t < cfg.steps(); t++) {
      if (t > 0) {
        events.add(new Tick());
      }
      List<Event> tick = new ArrayList<>();
      for (int d = 0; d < cfg.devices(); d++) {
        for (int c = 0; c < cfg.clientsPerDevice(); c++) {
          if (t >= join[d][c]) {
            tick.add(new Reconnect(d, c, clients.get(d).get(c)));
          }
        }
      }
      for (int i = tick.size() - 1; i > 0; i--) {
        int j = r.nextInt(i + 1);
        Event x = tick.get(i);
        tick.set(i, tick.get(j));
        tick.set(j, x);
      }
      events.addAll(tick);
      if (r.nextDouble() < cfg.rotateProbability()) {
        events.add(new Rotate(r.nextInt(cfg.devices()),
            cfg.profiles().get(r.nextInt(cfg.profiles().size()))));
      }
      if (t % cfg.approveEveryTicks() == cfg.approveEveryTicks() - 1) {
        events.add(new ApproveLatest());
      }
    }
    return new Schedule(events, clients);
  }

  static Result run(Config cfg, Schedule s, Function<Environment, Subject> factory) {
    Environment env = new Environment(VirtualClock.atScenarioEpoch(),
        SeededRandomSource.of(cfg.seed() ^ 0x73756a656374L));
    Subject subject = Objects.requireNonNull(factory.apply(env), "factory returned null");
    return new Run(cfg, s, subject, env).execute();
  }

  /** The mutable state of one run. */
  private static final class Run {
    final Config cfg;
    final Schedule s;
    final Subject subject;
    final Environment env;
    final ScopePolicy policy;
    final List<DeviceKeyPair> keys;
    final int n;
    final List<String> trace = new ArrayList<>();
    final List<Violation> violations = new ArrayList<>();
    final Map<String, Long> checks = new HashMap<>();
    final Map<RequestId, String> labels = new HashMap<>();
    final Map<RequestId, Integer> deviceOfId = new HashMap<>();
    final List<RequestId> observed = new ArrayList<>();
    final RequestId[][] lastPair;
    final List<Set<RequestId>> lineage = new ArrayList<>();
    final Map<String, DeviceToken> lastToken = new HashMap<>();
    final boolean[] unionApproved;
    final int[] approvals;
    final int[] reconnects;
    final int[] lastPairAt;
    final List<Integer> idsPerUpgrade = new ArrayList<>();
    int event;

    Run(Config cfg, Schedule s, Subject subject, Environment env) {
      this.cfg = cfg;
      this.s = s;
      this.subject = subject;
      this.env = env;
      this.policy = cfg.policy();
      this.keys = ConvergenceChecker.keys(cfg.seed(), cfg.devices());
      this.n = cfg.devices();
      this.lastPair = new RequestId[n][cfg.clientsPerDevice()];
      for (int d = 0; d < n; d++) {
        lineage.add(new LinkedHashSet<>());
      }
      this.unionApproved = new boolean[n];
      this.approvals = new int[n];
      this.reconnects = new int[n];
      this.lastPairAt = new int[n];
    }

    Result execute() {
      for (event = 0; event < s.events().size() && violations.size() < MAX_VIOLATIONS; event++) {
        Event e = s.events().get(event);
        if (e instanceof Tick) {
          env.clock().advance(cfg.cadenceMs());
        } else if (e instanceof Reconnect rc) {
          reconnects[rc.device()]++;
          connect(rc.device(), rc.client(), rc.profile(), "connect");
        } else if (e instanceof ApproveLatest) {
          approveLatest();
        } else if (e instanceof Rotate rt) {
          rotate(rt.device(), rt.profile());
        }
      }
      int[] toConvergence = lastPairAt.clone();
      return new Result(List.copyOf(trace), List.copyOf(violations), toConvergence,
          approvals.clone(), List.copyOf(idsPerUpgrade), unionApproved.clone(), Map.copyOf(checks));
    }

    void check(String property, boolean ok, java.util.function.Supplier<String> message) {
      checks.merge(property, 1L, Long::sum);
      if (!ok) {
        String m = message.get();
        violations.add(new Violation(property, event, m));
        trace.add("  VIOLATION " + property + ": " + m);
      }
    }

    String label(RequestId requestId) {
      String l = labels.get(requestId);
      if (l == null) {
        l = "#" + (labels.size() + 1);
        labels.put(requestId, l);
        return l + "(" + requestId + ")";
      }
      return l;
    }

    String at() {
      return "e" + (event + 1) + " t=" + (env.clock().millis() - VirtualClock.SCENARIO_EPOCH_MS);
    }

    /** A connect by a client (or a probe); checks P2, P3, P4, P6, P7 and P1's covering rule. */
    @Nullable ConnectResult connect(int d, int c, Profile p, String what) {
      DeviceKeyPair key = keys.get(d);
      Optional<Baseline> before = subject.baseline(key.deviceId());
      Optional<Pending> pendBefore = subject.pending(key.deviceId());
      ConnectResult r = subject.connect(key, p.role(), p.scopes());
      Optional<Baseline> after = subject.baseline(key.deviceId());
      Optional<Pending> pendAfter = subject.pending(key.deviceId());
      String head = at() + " d" + d + "/c" + c + " " + what + " " + p + " -> ";
      check("P2", same(before, after), () -> "baseline changed by a connect: " + show(before) + " -> "
          + show(after));
      boolean allowedByBaseline = before.isPresent()
          && before.get().effectiveRoles().contains(p.role())
          && policy.allows(p.role(), p.scopes(), before.get().scopes());
      if (r instanceof ConnectResult.Allowed a) {
        DeviceToken t = a.token();
        trace.add(head + "allowed token=" + t.scopes() + (a.tokenIssued() ? " (issued)" : ""));
        check("P6", after.isPresent() && policy.allows(p.role(), t.scopes(), after.get().scopes()), () -> "token " + t.scopes() + " exceeds the baseline " + show(after));
        DeviceToken prev = lastToken.get(d + ":" + p.role());
        if (prev != null) {
          check("P6", t.scopes().containsAll(prev.scopes()), () -> "an allowed connect dropped "
              + "scopes from the token: [" + prev.scopes() + "] -> [" + t.scopes() + "]");
          check("P6", java.util.Objects.equals(t.hash(), prev.hash()), () -> "an allowed connect replaced the token secret (other clients' tokens stop working)");
        }
        lastToken.put(d + ":" + p.role(), t);
        if (allowedByBaseline) {
          check("P3", pendAfter.equals(pendBefore), () -> "an allowed connect changed the pending request: "
              + pendBefore + " -> " + pendAfter);
        }
      } else if (r instanceof ConnectResult.PairingRequired pr) {
        RequestId id = pr.requestId();
        trace.add(head + "pairing-required " + pr.reason().wireName() + " " + label(id) + " "
            + pr.requestChange().name().toLowerCase(java.util.Locale.ROOT));
        deviceOfId.put(id, d);
        observed.add(id);
        check("P3", !allowedByBaseline, () -> "pairing required although the baseline " + show(before)
            + " allows " + p);
        check("P7", !unionApproved[d], () -> "pairing required again after the union of the device's "
            + "profiles was approved");
        check("P1", pendAfter.isPresent() && pendAfter.get().requestId().equals(id)
                && pendAfter.get().roles().contains(p.role())
                && policy.allows(p.role(), p.scopes(), pendAfter.get().scopes()), () -> "the pending request " + pendAfter.map(Object::toString).orElse("(none)")
                + " does not cover the connect " + p + " it told to wait for " + label(id));
        if (pendBefore.isPresent()) {
          Pending old = pendBefore.get();
          boolean covered = old.roles().contains(p.role())
              && policy.allows(p.role(), p.scopes(), old.scopes());
          check("P4", !covered || old.requestId().equals(id), () -> "a new request id " + label(id)
              + " was minted although " + label(old.requestId()) + " already covers " + p);
          if (!old.requestId().equals(id)) {
            boolean approvable;
            try {
              subject.approve(old.requestId());
              approvable = true;
            } catch (PairgateException e) {
              approvable = false;
            }
            check("P4", !approvable, () -> "the replaced request " + label(old.requestId())
                + " could still be approved");
          }
        }
        if (c >= 0) {
          lastPair[d][c] = id;
        }
        lineage.get(d).add(id);
        if (what.equals("connect")) {
          lastPairAt[d] = reconnects[d];
        }
      } else {
        ConnectResult.Rejected rj = (ConnectResult.Rejected) r;
        trace.add(head + "rejected " + rj.code().wireName());
        check("P3", false, () -> "connect " + p + " rejected: " + rj.code().wireName() + " "
            + rj.message());
      }
      return r;
    }

    void approveLatest() {
      RequestId found = null;
      int d = -1;
      Optional<Pending> snapshot = Optional.empty();
      for (int i = observed.size() - 1; i >= 0 && found == null; i--) {
        RequestId candidate = observed.get(i);
        int dev = deviceOfId.get(candidate);
        Optional<Pending> p = subject.pending(keys.get(dev).deviceId());
        if (p.isPresent() && p.get().requestId().equals(candidate)) {
          found = candidate;
          d = dev;
          snapshot = p;
        }
      }
      if (found == null) {
        trace.add(at() + " approver: nothing pending");
        return;
      }
      RequestId id = found;
      Optional<Baseline> before = subject.baseline(keys.get(d).deviceId());
      try {
        subject.approve(id);
      } catch (PairgateException e) {
        trace.add(at() + " approver approves " + label(id) + " of d" + d + " -> error "
            + e.code().wireName());
        check("P5", false, () -> "the approver could not approve the latest pending request "
            + label(id) + ": " + e.code().wireName());
        return;
      }
      check("P5", true, () -> "");
      Optional<Baseline> after = subject.baseline(keys.get(d).deviceId());
      trace.add(at() + " approver approves " + label(id) + " of d" + d + " -> baseline "
          + show(after));
      Pending snap = snapshot.orElseThrow();
      check("P2", after.isPresent() && grows(before, after.get()), () -> "approval shrank the baseline: " + show(before) + " -> " + show(after));
      check("P1", after.isPresent() && after.get().roles().containsAll(snap.roles())
              && after.get().scopes().containsAll(snap.scopes()), () -> "approval of " + label(id) + " did not grant what it asked for: " + snap + " vs "
              + show(after));
      approvals[d]++;
      idsPerUpgrade.add(lineage.get(d).size());
      // The approval that makes the baseline cover every profile of the device's clients is
      // "the approval of the union"; P7 forbids any PAIRING_REQUIRED after it.
      boolean union = after.isPresent();
      for (Profile p : s.clients().get(d)) {
        union &= after.isPresent() && after.get().effectiveRoles().contains(p.role())
            && policy.allows(p.role(), p.scopes(), after.get().scopes());
      }
      Set<RequestId> waiting = new HashSet<>(lineage.get(d));
      lineage.get(d).clear();
      // P1: every profile told to wait for this request (or one it replaced) is now allowed,
      // and so is every profile of the set that it implies.
      Set<Profile> probes = new LinkedHashSet<>();
      for (int c = 0; c < cfg.clientsPerDevice(); c++) {
        if (lastPair[d][c] != null && waiting.contains(lastPair[d][c])) {
          Profile p = s.clients().get(d).get(c);
          probes.add(p);
          for (Profile q : cfg.profiles()) {
            if (q.role().equals(p.role()) && policy.allows(p.role(), q.scopes(), p.scopes())) {
              probes.add(q);
            }
          }
          lastPair[d][c] = null;
        }
      }
      for (Profile q : probes) {
        ConnectResult r = connect(d, -1, q, "probe");
        check("P1", r instanceof ConnectResult.Allowed, () -> "after approving " + label(id) + ", "
            + q + " (waiting for it, or implied by a profile that was) is still not allowed");
      }
      if (union) {
        unionApproved[d] = true;
      }
    }

    void rotate(int d, Profile p) {
      DeviceKeyPair key = keys.get(d);
      Optional<Baseline> before = subject.baseline(key.deviceId());
      if (before.isEmpty() || !before.get().roles().contains(p.role())
          || !policy.allows(p.role(), p.scopes(), before.get().scopes())) {
        trace.add(at() + " approver: rotation of d" + d + " to " + p + " skipped (not narrower)");
        return;
      }
      DeviceToken t;
      try {
        t = subject.rotate(key.deviceId(), p.role(), p.scopes());
      } catch (PairgateException e) {
        trace.add(at() + " approver rotates d" + d + " to " + p + " -> error "
            + e.code().wireName());
        check("P2", false, () -> "rotation to " + p + " within the baseline " + show(before)
            + " was refused: " + e.code().wireName());
        return;
      }
      lastToken.put(d + ":" + p.role(), t);
      Optional<Baseline> after = subject.baseline(key.deviceId());
      trace.add(at() + " approver rotates d" + d + " to " + p + " -> token " + t.scopes()
          + ", baseline " + show(after));
      check("P2", same(before, after), () -> "rotation changed the baseline: " + show(before) + " -> "
          + show(after));
    }

    static boolean same(Optional<Baseline> a, Optional<Baseline> b) {
      if (a.isEmpty() || b.isEmpty()) {
        return a.isEmpty() == b.isEmpty();
      }
      return a.get().roles().equals(b.get().roles()) && a.get().scopes().equals(b.get().scopes());
    }

    static boolean grows(Optional<Baseline> before, Baseline after) {
      return before.isEmpty() || (after.roles().containsAll(before.get().roles())
          && after.scopes().containsAll(before.get().scopes()));
    }

    static String show(Optional<Baseline> b) {
      return b.map(x -> new java.util.TreeSet<>(x.roles()) + "[" + x.scopes() + "]")
          .orElse("(unpaired)");
    }
  }

  /** A shrunk counterexample: the events, and the violation they still produce. */
  record Shrunk(List<Event> events, Violation violation, int attempts) {}

  /**
   * Shrinks the schedule of a run that violated {@code target.property()}: cuts it after the
   * violating event, then drops chunks and single events while the same property still fails.
   */
  static Shrunk shrink(Config cfg, Schedule s, Violation target,
      Function<Environment, Subject> factory, int budget) {
    List<Event> current = List.copyOf(s.events().subList(0, target.event() + 1));
    Violation found = target;
    int attempts = 0;
    boolean progress = true;
    while (progress && attempts < budget) {
      progress = false;
      java.util.Iterator<List<Event>> it =
          Shrinking.<Event>list(current, 1, e -> java.util.stream.Stream.empty()).iterator();
      while (it.hasNext() && attempts < budget) {
        List<Event> candidate = it.next();
        attempts++;
        Result r = run(cfg, s.withEvents(candidate), factory);
        Optional<Violation> v = r.violations().stream()
            .filter(x -> x.property().equals(target.property()))
            .findFirst();
        if (v.isPresent()) {
          current = List.copyOf(candidate.subList(0, v.get().event() + 1));
          found = v.get();
          progress = true;
          break;
        }
      }
    }
    return new Shrunk(current, found, attempts);
  }
}
