package io.pairgate.cli;

import io.pairgate.RequestId;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairgateException;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.spi.PairingStore;
import io.pairgate.testkit.ConvergenceChecker;
import io.pairgate.testkit.ConvergenceChecker.Subject;
import io.pairgate.testkit.ConvergenceReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code pairgate simulate}: runs the testkit's convergence checker (the scope-upgrade-loop
 * properties P1–P7 and trace determinism) against the real service, in memory or on a durable
 * store.
 */
@Command(name = "simulate",
    description = "Run the convergence checker (P1-P7, deterministic trace) against the real"
        + " service; in memory, or durably on --store DIR / --jdbc URL.")
final class SimulateCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(names = "--seed", paramLabel = "N", description = "The seed (default 1).")
  long seed = 1;

  @Option(names = "--devices", paramLabel = "N", description = "Simulated devices (default 8).")
  int devices = 8;

  @Option(names = "--steps", paramLabel = "N", description = "Simulated one-second ticks (default 200).")
  int steps = 200;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Option(names = "--start", paramLabel = "INSTANT",
      description = "Where the virtual clock starts, e.g. 2023-11-14T22:13:20Z (default: now, so a"
          + " simulated store looks current to 'doctor' and 'devices list').")
  java.time.@org.jspecify.annotations.Nullable Instant start;

  SimulateCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (devices < 1 || steps < 1) {
      throw new Errors.UsageException("--devices and --steps must be at least 1");
    }
    ConvergenceChecker.Config config = ConvergenceChecker.Config.defaults(seed)
        .withSize(devices, steps);
    // The checker's virtual clock starts at a fixed epoch; the service sees it shifted to --start
    // (default now), so the records a durable run leaves are current, not years old.
    java.time.Instant from = start != null ? start : cli.clock.instant();
    java.time.Duration shift = java.time.Duration.between(
        java.time.Instant.ofEpochMilli(io.pairgate.VirtualClock.SCENARIO_EPOCH_MS), from);
    List<StoreHandle> opened = new ArrayList<>();
    long[] connects = new long[1];
    int[] runs = new int[1];
    if (cli.storeChosen()) {
      cli.checkStoreOptions();
    }
    String where = cli.storeChosen() ? "the durable store " + storeName() : "an in-memory store";
    cli.progress("Simulating " + devices + " devices for " + steps + " steps (seed " + seed + ") on "
        + where + " …");
    long started = System.nanoTime();
    ConvergenceReport report;
    try {
      report = ConvergenceChecker.check(config, env -> {
        runs[0]++;
        PairingStore store;
        if (runs[0] == 1 && cli.storeChosen()) {
          StoreHandle h = cli.openOrCreate("simulate");
          opened.add(h);
          if (!h.store().list("", 1).isEmpty()) {
            throw new PairgateException(ErrorCode.INVALID_ARGUMENT, "simulate needs an empty store;"
                + " " + h.description() + " already holds devices");
          }
          store = h.store();
        } else {
          if (runs[0] == 2) {
            cli.progress("  first run done (" + connects[0] + " connects); re-running in memory to"
                + " check the trace is deterministic …");
          } else if (runs[0] == 3) {
            cli.progress("  a property failed; shrinking the counterexample …");
          }
          store = new InMemoryPairingStore();
        }
        java.time.Clock clock = java.time.Clock.offset(env.clock(), shift);
        PairingService service = PairingService.builder(store).clock(clock)
            .randomSource(env.random()).auditLogging(false).build();
        return counting(ConvergenceChecker.adapt(service, clock), connects, runs[0]);
      });
    } finally {
      for (StoreHandle h : opened) {
        h.close();
      }
    }
    long ms = (System.nanoTime() - started) / 1_000_000;
    if (json) {
      cli.out.println(Out.pretty(json(report, ms)));
    } else {
      print(report, ms);
    }
    return report.converged() ? Main.OK : Main.FAILED;
  }

  private String storeName() {
    return cli.jdbcUrl != null ? StoreHandle.redact(cli.jdbcUrl)
        : String.valueOf(cli.storeDir != null ? cli.storeDir : cli.home());
  }

  /** Counts connects of the first run and reports progress every 20 000. */
  private Subject counting(Subject s, long[] connects, int run) {
    return new Subject() {
      @Override
      public ConnectResult connect(DeviceKeyPair device, Role role, ScopeSet scopes) {
        if (run == 1 && ++connects[0] % 20_000 == 0) {
          cli.progress("  … " + connects[0] + " connects");
        }
        return s.connect(device, role, scopes);
      }

      @Override
      public void approve(RequestId requestId) {
        s.approve(requestId);
      }

      @Override
      public DeviceToken rotate(DeviceId device, Role role, ScopeSet scopes) {
        return s.rotate(device, role, scopes);
      }

      @Override
      public Optional<ConvergenceChecker.Baseline> baseline(DeviceId device) {
        return s.baseline(device);
      }

      @Override
      public Optional<ConvergenceChecker.Pending> pending(DeviceId device) {
        return s.pending(device);
      }
    };
  }

  private void print(ConvergenceReport r, long ms) {
    cli.out.println("Properties checked:");
    for (ConvergenceReport.PropertyCheck p : r.properties()) {
      cli.out.println(String.format(Locale.ROOT, "  %-4s %-4s %9d checks  %s", p.id(),
          p.held() ? "ok" : "FAIL", p.checks(), p.description()));
    }
    cli.out.println("Reconnects to convergence: max " + r.maxReconnectsToConvergence() + ", p99 "
        + r.p99ReconnectsToConvergence());
    cli.out.println("Approvals needed: " + r.totalApprovals() + " in total, at most "
        + r.maxApprovalsPerDevice() + " per device");
    cli.out.println(String.format(Locale.ROOT,
        "Request ids minted per upgrade: max %d, mean %.2f", r.maxRequestIdsPerUpgrade(),
        r.meanRequestIdsPerUpgrade()));
    cli.out.println("Unconverged devices: " + r.unconvergedDevices());
    cli.out.println("Trace hash: " + r.traceHash());
    if (!r.violations().isEmpty()) {
      cli.out.println("Violations:");
      r.violations().forEach(v -> cli.out.println("  " + v));
    }
    if (!r.counterexample().isEmpty()) {
      cli.out.println("Shrunk counterexample (" + r.counterexample().size() + " steps):");
      r.counterexample().forEach(c -> cli.out.println("  " + c));
      cli.out.println("  => " + r.counterexampleViolation());
    }
    cli.out.println((r.converged() ? "CONVERGED" : "DID NOT CONVERGE") + " (seed " + r.seed()
        + ", " + r.devices() + " devices, " + r.steps() + " steps, " + ms + " ms)");
  }

  private static ObjectNode json(ConvergenceReport r, long ms) {
    ObjectNode o = Out.object();
    o.put("converged", r.converged());
    o.put("seed", r.seed());
    o.put("devices", r.devices());
    o.put("steps", r.steps());
    ArrayNode props = o.putArray("properties");
    for (ConvergenceReport.PropertyCheck p : r.properties()) {
      ObjectNode po = props.addObject();
      po.put("id", p.id());
      po.put("description", p.description());
      po.put("checks", p.checks());
      po.put("failures", p.failures());
    }
    o.put("maxReconnectsToConvergence", r.maxReconnectsToConvergence());
    o.put("p99ReconnectsToConvergence", r.p99ReconnectsToConvergence());
    o.put("totalApprovals", r.totalApprovals());
    o.put("maxApprovalsPerDevice", r.maxApprovalsPerDevice());
    o.put("maxRequestIdsPerUpgrade", r.maxRequestIdsPerUpgrade());
    o.put("meanRequestIdsPerUpgrade", r.meanRequestIdsPerUpgrade());
    o.put("unconvergedDevices", r.unconvergedDevices());
    o.put("traceHash", r.traceHash());
    Out.strings(o.putArray("violations"), r.violations());
    Out.strings(o.putArray("counterexample"), r.counterexample());
    o.put("elapsedMs", ms);
    return o;
  }
}
