package io.pairgate.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What {@link ConvergenceChecker} found.
 *
 * @param seed the run's seed
 * @param devices simulated devices
 * @param steps simulated ticks
 * @param converged true when no property was violated, the trace was deterministic, and every
 *     device had the union of its profiles approved and needed no pairing afterwards
 * @param properties per property, how often it was checked and how often it failed
 * @param violations the first violations of the run (at most {@value #LISTED_VIOLATIONS}; the
 *     property tallies count all of them)
 * @param counterexample when a property failed: a shrunk event list that still violates it, one
 *     event per line; empty otherwise
 * @param counterexampleViolation the violation the counterexample produces, or empty
 * @param maxReconnectsToConvergence over devices, the number of reconnects from a device's first
 *     connect up to its last {@code PAIRING_REQUIRED}
 * @param p99ReconnectsToConvergence the 99th percentile of the same
 * @param maxApprovalsPerDevice the most approvals one device needed
 * @param totalApprovals approvals in the run
 * @param maxRequestIdsPerUpgrade the most request ids one device was shown between two approvals
 * @param meanRequestIdsPerUpgrade the mean of the same over approvals
 * @param unconvergedDevices devices whose union of profiles was never approved
 * @param traceHash SHA-256 (hex) of the trace; equal for equal seeds
 * @param trace the run's events and outcomes, one line each
 */
public record ConvergenceReport(
    long seed,
    int devices,
    int steps,
    boolean converged,
    List<PropertyCheck> properties,
    List<String> violations,
    List<String> counterexample,
    String counterexampleViolation,
    int maxReconnectsToConvergence,
    int p99ReconnectsToConvergence,
    int maxApprovalsPerDevice,
    int totalApprovals,
    int maxRequestIdsPerUpgrade,
    double meanRequestIdsPerUpgrade,
    int unconvergedDevices,
    String traceHash,
    List<String> trace) {

  /** How many violations {@link #violations()} lists. */
  public static final int LISTED_VIOLATIONS = 20;

  /** How many shrink runs a counterexample may take. */
  static final int SHRINK_BUDGET = 2_000;

  /** Copies the lists. */
  public ConvergenceReport {
    properties = List.copyOf(properties);
    violations = List.copyOf(violations);
    counterexample = List.copyOf(counterexample);
    trace = List.copyOf(trace);
  }

  /**
   * One property's tally.
   *
   * @param id {@code P1} … {@code P7} or {@code DET}
   * @param description what it asserts
   * @param checks how many times it was evaluated
   * @param failures how many times it failed
   */
  public record PropertyCheck(String id, String description, long checks, long failures) {
    /** Whether it never failed. */
    public boolean held() {
      return failures == 0;
    }
  }

  static final Map<String, String> DESCRIPTIONS = Map.of(
      "P1", "one approval suffices for the approved profile and every profile it implies",
      "P2", "the baseline only grows, and only through approval",
      "P3", "no pending request (and no refusal) for a profile the baseline allows",
      "P4", "request ids stay stable until the request widens; replaced ids are unapprovable",
      "P5", "the approver can always approve the latest pending request",
      "P6", "tokens stay within the baseline and are never narrowed or re-keyed by a connect",
      "P7", "after the union of a device's profiles is approved, no more PAIRING_REQUIRED",
      "DET", "the same seed gives a byte-identical trace");

  static ConvergenceReport of(
      ConvergenceChecker.Config cfg, Simulation.Schedule schedule, Simulation.Result first,
      Simulation.Result second,
      Function<ConvergenceChecker.Environment, ConvergenceChecker.Subject> factory) {
    List<Simulation.Violation> vs = new ArrayList<>(first.violations());
    String hash = first.hash();
    boolean deterministic = hash.equals(second.hash());
    if (!deterministic) {
      vs.add(new Simulation.Violation("DET", schedule.events().size() - 1,
          "two runs with seed " + Property.formatSeed(cfg.seed()) + " gave different traces ("
              + hash + " vs " + second.hash() + ")"));
    }
    TreeMap<String, long[]> tally = new TreeMap<>();
    for (String id : DESCRIPTIONS.keySet()) {
      tally.put(id, new long[2]);
    }
    first.checks().forEach((id, n) -> tally.get(id)[0] += n);
    tally.get("DET")[0] = 1;
    for (Simulation.Violation v : vs) {
      tally.get(v.property())[1]++;
    }
    List<PropertyCheck> props = new ArrayList<>();
    tally.forEach((id, t) -> props.add(new PropertyCheck(id, DESCRIPTIONS.get(id), t[0], t[1])));

    List<String> counterexample = List.of();
    String cxViolation = "";
    if (!first.violations().isEmpty()) {
      Simulation.Shrunk s = Simulation.shrink(cfg, schedule, first.violations().get(0), factory,
          SHRINK_BUDGET);
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < s.events().size(); i++) {
        lines.add((i + 1) + ". " + s.events().get(i));
      }
      counterexample = lines;
      cxViolation = s.violation().toString();
    }
    int unconverged = 0;
    for (boolean u : first.unionApproved()) {
      if (!u) {
        unconverged++;
      }
    }
    int[] rtc = first.reconnectsToConvergence().clone();
    Arrays.sort(rtc);
    int max = rtc.length == 0 ? 0 : rtc[rtc.length - 1];
    int p99 = rtc.length == 0 ? 0 : rtc[Math.max(0, (int) Math.ceil(0.99 * rtc.length) - 1)];
    int maxApprovals = Arrays.stream(first.approvals()).max().orElse(0);
    int totalApprovals = Arrays.stream(first.approvals()).sum();
    int maxIds = first.idsPerUpgrade().stream().mapToInt(Integer::intValue).max().orElse(0);
    double meanIds = first.idsPerUpgrade().stream().mapToInt(Integer::intValue).average().orElse(0);
    List<String> violationLines = new ArrayList<>();
    vs.stream().limit(LISTED_VIOLATIONS).forEach(v -> violationLines.add(v.toString()));
    if (vs.size() > LISTED_VIOLATIONS) {
      violationLines.add("… and " + (vs.size() - LISTED_VIOLATIONS) + " more");
    }
    return new ConvergenceReport(cfg.seed(), cfg.devices(), cfg.steps(),
        vs.isEmpty() && unconverged == 0, props, violationLines, counterexample, cxViolation, max,
        p99, maxApprovals, totalApprovals, maxIds, meanIds, unconverged, hash, first.trace());
  }

  /** A multi-line human-readable summary: verdict, properties, statistics, counterexample. */
  public String summary() {
    StringBuilder b = new StringBuilder();
    b.append(converged ? "CONVERGED" : "DID NOT CONVERGE").append(" (seed ")
        .append(Property.formatSeed(seed)).append(", ").append(devices).append(" devices, ")
        .append(steps).append(" steps)\n");
    for (PropertyCheck p : properties) {
      b.append(String.format(Locale.ROOT, "  %-4s %-5s %8d checks  %s%n", p.id(),
          p.held() ? "ok" : "FAIL", p.checks(), p.description()));
    }
    b.append(String.format(Locale.ROOT,
        "  reconnects to convergence: max %d, p99 %d; approvals: %d (max %d per device); "
            + "request ids per upgrade: max %d, mean %.2f; unconverged devices: %d%n",
        maxReconnectsToConvergence, p99ReconnectsToConvergence, totalApprovals,
        maxApprovalsPerDevice, maxRequestIdsPerUpgrade, meanRequestIdsPerUpgrade,
        unconvergedDevices));
    b.append("  trace sha256: ").append(traceHash).append('\n');
    if (!violations.isEmpty()) {
      b.append("  violations:\n");
      violations.forEach(v -> b.append("    ").append(v).append('\n'));
    }
    if (!counterexample.isEmpty()) {
      b.append("  shrunk counterexample (").append(counterexample.size()).append(" steps):\n");
      counterexample.forEach(c -> b.append("    ").append(c).append('\n'));
      b.append("    => ").append(counterexampleViolation).append('\n');
    }
    b.append("  replay: run the checker with the same config and seed ")
        .append(Property.formatSeed(seed)).append(" (e.g. Config.defaults(")
        .append(Property.formatSeed(seed)).append("L).withSize(").append(devices).append(", ")
        .append(steps).append(")); the trace hash must come out equal");
    return b.toString();
  }
}
