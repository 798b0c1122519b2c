package io.pairgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * A noise-robust cross-check of the two CPU ratios with targets (connect and decide), for shared
 * machines: benchmark and limit run alternately in short blocks inside one JVM (order ABBA), so a
 * burst of load from other processes hits both about equally. Each block pair gives one ratio; the
 * median and quartiles are printed as JSON. JMH remains the primary measurement; this checks it.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.pairgate.bench.Interleaved [seconds per pair]}.
 */
public final class Interleaved {
  private static volatile boolean sink;

  private Interleaved() {}

  /** An operation with untimed preparation. */
  interface Op {
    /** Untimed work before one timed call. */
    void prepare();

    /** The timed call. */
    boolean run();
  }

  /** Runs the pairs and prints a JSON array. */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    List<String> out = new ArrayList<>();

    DecideBench d = new DecideBench();
    d.setUp();
    out.add(
        run("decide / map+mask", ">= 0.25", seconds, 20_000,
            op(d::decide), op(d::limitMapMask), false));

    ConnectBench.Gateway g = new ConnectBench.Gateway();
    g.setUp();
    ConnectBench.V3Call c = new ConnectBench.V3Call();
    c.cursor = 0;
    c.stride = 1;
    out.add(
        run("connect / BC decode+verify (1 thread)", ">= 0.90", seconds, 100,
            new Op() {
              @Override
              public void prepare() {
                c.prepare(g, false);
              }

              @Override
              public boolean run() {
                return g.service.connect(c.attempt) instanceof io.pairgate.ConnectResult.Allowed;
              }
            },
            new Op() {
              @Override
              public void prepare() {
                c.prepare(g, false);
              }

              @Override
              public boolean run() {
                return ConnectBench.decodeAndVerify(c);
              }
            },
            true));
    System.out.println("[" + String.join(",", out) + "]");
  }

  private static Op op(BooleanSupplier s) {
    return new Op() {
      @Override
      public void prepare() {}

      @Override
      public boolean run() {
        return s.getAsBoolean();
      }
    };
  }

  /** Nanoseconds for {@code n} calls of {@code op}, timing only the calls when {@code perCall}. */
  private static long block(Op op, int n, boolean perCall) {
    boolean acc = false;
    long total = 0;
    if (perCall) {
      for (int i = 0; i < n; i++) {
        op.prepare();
        long t = System.nanoTime();
        acc ^= op.run();
        total += System.nanoTime() - t;
      }
    } else {
      long t = System.nanoTime();
      for (int i = 0; i < n; i++) {
        acc ^= op.run();
      }
      total = System.nanoTime() - t;
    }
    sink = acc;
    return total;
  }

  private static String run(
      String label, String target, double seconds, int n, Op a, Op b, boolean perCall) {
    long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
    while (System.nanoTime() < warmEnd) {
      block(a, n, perCall);
      block(b, n, perCall);
    }
    List<Double> ratios = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    boolean aFirst = true;
    while (System.nanoTime() < end || ratios.size() < 10) {
      long ta;
      long tb;
      if (aFirst) {
        ta = block(a, n, perCall);
        tb = block(b, n, perCall);
      } else {
        tb = block(b, n, perCall);
        ta = block(a, n, perCall);
      }
      aFirst = !aFirst;
      ratios.add((double) tb / ta); // throughput of a relative to b
    }
    double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT,
        "{\"label\":\"%s\",\"median\":%.4f,\"p25\":%.4f,\"p75\":%.4f,\"rounds\":%d,"
            + "\"opsPerBlock\":%d,\"target\":\"%s\"}",
        label, q(r, 0.5), q(r, 0.25), q(r, 0.75), r.length, n, target);
  }

  private static double q(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
