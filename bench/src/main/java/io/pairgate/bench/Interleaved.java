package io.pairgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A noise-robust cross-check of the ratios with targets (decide, connect, approve on store-json
 * and on PostgreSQL), for shared machines: benchmark and limit run alternately in short blocks inside one JVM (order ABBA), so a
 * burst of load from other processes hits both about equally. Each block pair gives one ratio; the
 * median and quartiles are printed as JSON. JMH remains the primary measurement; this checks it.
 *
 * <p>Usage: {@code java [-Dpairgate.bench.cpuTime=true] -cp benchmarks.jar
 * io.pairgate.bench.Interleaved [seconds per pair] [group]}, where group is {@code decide}, {@code connect}, {@code connect2t} or {@code store}
 * (default: all; connect2t runs connect and its limit on two threads at once, in lockstep).
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
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    String group = args.length > 1 ? args[1] : "all";
    List<String> out = new ArrayList<>();
    if (group.equals("all") || group.equals("decide")) {
      decide(seconds, out);
    }
    if (group.equals("all") || group.equals("connect")) {
      connect(seconds, out);
    }
    if (group.equals("all") || group.equals("connect2t")) {
      connect2t(seconds, out);
    }
    if (group.equals("all") || group.equals("store")) {
      store(seconds, out);
    }
    System.out.println("[" + String.join(",", out) + "]");
  }

  private static void decide(double seconds, List<String> out) {

    DecideBench d = new DecideBench();
    d.setUp();
    out.add(
        run("decide / map+mask", ">= 0.25", seconds, 20_000,
            op(() -> d.decide()), op(() -> d.limitMapMask()), false));

    out.add(run("decide part: store.load / map+mask", "", seconds, 20_000,
        op(() -> d.partStoreLoad()), op(() -> d.limitMapMask()), false));
    out.add(run("decide part: 3 x ScopePolicy.allows (6 scopes) / map+mask", "", seconds, 20_000,
        op(() -> d.partScopeChecks()), op(() -> d.limitMapMask()), false));
    out.add(run("decide part: DeviceToken.matches / map+mask", "", seconds, 20_000,
        op(() -> d.partTokenMatch()), op(() -> d.limitMapMask()), false));

  }

  private static void connect(double seconds, List<String> out) {
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
    ConnectBench.V2Call c2 = new ConnectBench.V2Call();
    c2.cursor = 0;
    c2.stride = 1;
    out.add(
        run("connect, legacy v2 payload / BC decode+verify", "", seconds, 100,
            new Op() {
              @Override
              public void prepare() {
                c2.prepare(g, true);
              }

              @Override
              public boolean run() {
                return g.service.connect(c2.attempt) instanceof io.pairgate.ConnectResult.Allowed;
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

  }

  /**
   * Two threads on one service, in lockstep: both run a block of connects, then both a block of
   * decode-and-verify (ABBA order), with a barrier between blocks. The ratio per block pair is the
   * summed limit time over the summed connect time.
   */
  private static void connect2t(double seconds, List<String> out) throws Exception {
    ConnectBench.Gateway g = new ConnectBench.Gateway();
    g.setUp();
    int threads = 2;
    int n = 100;
    java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
    long[][] times = new long[threads][2];
    List<Double> ratios = java.util.Collections.synchronizedList(new ArrayList<>());
    long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
    long end = warmEnd + (long) (seconds * 1e9);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int me = t;
      ConnectBench.V3Call c = new ConnectBench.V3Call();
      c.cursor = t;
      c.stride = threads;
      Op connect = new Op() {
        @Override
        public void prepare() {
          c.prepare(g, false);
        }

        @Override
        public boolean run() {
          return g.service.connect(c.attempt) instanceof io.pairgate.ConnectResult.Allowed;
        }
      };
      Op limit = new Op() {
        @Override
        public void prepare() {
          c.prepare(g, false);
        }

        @Override
        public boolean run() {
          return ConnectBench.decodeAndVerify(c);
        }
      };
      Thread w = new Thread(() -> {
        try {
          boolean aFirst = true;
          while (true) {
            barrier.await();
            if (stop.get()) {
              return;
            }
            if (aFirst) {
              times[me][0] = block(connect, n, true);
              barrier.await();
              times[me][1] = block(limit, n, true);
            } else {
              times[me][1] = block(limit, n, true);
              barrier.await();
              times[me][0] = block(connect, n, true);
            }
            aFirst = !aFirst;
            barrier.await();
            if (me == 0) {
              long now = System.nanoTime();
              if (now > warmEnd) {
                ratios.add((double) (times[0][1] + times[1][1]) / (times[0][0] + times[1][0]));
              }
              if (now > end && ratios.size() >= 10) {
                stop.set(true);
              }
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
          stop.set(true);
          barrier.reset();
        }
      });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    if (failure.get() != null && !(failure.get() instanceof java.util.concurrent.BrokenBarrierException)) {
      throw new IllegalStateException(failure.get());
    }
    double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    out.add(String.format(Locale.ROOT,
        "{\"label\":\"connect / BC decode+verify (2 threads, lockstep)\",\"median\":%.4f,"
            + "\"p25\":%.4f,\"p75\":%.4f,\"rounds\":%d,\"opsPerBlock\":%d,"
            + "\"target\":\">= 0.90\"}",
        q(r, 0.5), q(r, 0.25), q(r, 0.75), r.length, n));
  }

  private static void store(double seconds, List<String> out) {
    // The persistence pairs: one operation per call, timed per call.
    String[][] storePairs = {{"json-100", "file"}, {"postgres", "postgres"}};
    for (String[] sp : storePairs) {
      ApproveBench ab = new ApproveBench();
      ab.store = sp[0];
      try {
        ab.setUp();
        StoreLimits lim = new StoreLimits();
        Op limit;
        AutoCloseable limitCleanup;
        if (sp[1].equals("file")) {
          StoreLimits.FileTarget f = new StoreLimits.FileTarget();
          f.setUp();
          limit = op(() -> lim.limitDurableFileWrite(f) > 0);
          limitCleanup = f::tearDown;
        } else {
          StoreLimits.Db db = new StoreLimits.Db();
          db.db = sp[1];
          db.setUp();
          limit = op(() -> lim.limitCommittedUpdate(db) > 0);
          limitCleanup = db::tearDown;
        }
        Op approve =
            new Op() {
              @Override
              public void prepare() {
                ab.newRequest();
              }

              @Override
              public boolean run() {
                return ab.approve() != null;
              }
            };
        // Ratios of average times, so the target reads like the JMH one (lower is better).
        String r = run("approve " + sp[0] + " / raw " + (sp[1].equals("file")
                ? "durable file write" : "committed UPDATE"),
            sp[1].equals("file") ? "<= 1.5" : "<= 2", seconds, 20, limit, approve, true);
        out.add(r);
        limitCleanup.close();
        ab.tearDown();
      } catch (Exception e) {
        System.err.println("interleaved " + sp[0] + " failed: " + e);
      }
    }
  }

  /** An operation that may throw. */
  interface ThrowingBool {
    boolean get() throws Exception;
  }

  private static Op op(ThrowingBool s) {
    return new Op() {
      @Override
      public void prepare() {}

      @Override
      public boolean run() {
        try {
          return s.get();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }

  /**
   * With {@code -Dpairgate.bench.cpuTime=true}, CPU-bound blocks (not timed per call) are timed
   * in the thread's CPU time instead of wall time. On a machine with far more runnable threads
   * than CPUs, a long block is preempted many times and a short one often not at all, so wall
   * time biases the ratio against the slower operation; CPU time does not count the time the
   * thread waits to be scheduled (cache effects of the other processes remain).
   */
  private static final boolean CPU_TIME = Boolean.getBoolean("pairgate.bench.cpuTime");

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** Nanoseconds for {@code n} calls of {@code op}, timing only the calls when {@code perCall}. */
  private static long block(Op op, int n, boolean perCall) {
    if (CPU_TIME && !perCall) {
      boolean acc = false;
      long t = THREADS.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        acc ^= op.run();
      }
      long total = THREADS.getCurrentThreadCpuTime() - t;
      sink = acc;
      return total;
    }
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

  /**
   * Alternates blocks of {@code a} and {@code b}; the ratio per block pair is time(b) / time(a).
   * CPU pairs pass (benchmark, limit), so the ratio is the benchmark's relative throughput;
   * persistence pairs (target "<= x") pass (limit, benchmark), so it is the relative time.
   */
  private static String run(
      String label, String target, double seconds, int n, Op a, Op b, boolean perCall) {
    long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
    while (System.nanoTime() < warmEnd) {
      block(a, n, perCall);
      block(b, n, perCall);
    }
    List<Double> ratios = new ArrayList<>();
    List<Double> nsA = new ArrayList<>();
    List<Double> nsB = new ArrayList<>();
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
      nsA.add((double) ta / n);
      nsB.add((double) tb / n);
    }
    double[] r = ratios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] ra = nsA.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double[] rb = nsB.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return String.format(Locale.ROOT,
        "{\"label\":\"%s\",\"median\":%.4f,\"p25\":%.4f,\"p75\":%.4f,\"rounds\":%d,"
            + "\"opsPerBlock\":%d,\"target\":\"%s\",\"benchNsPerOp\":%.1f,\"limitNsPerOp\":%.1f}",
        label, q(r, 0.5), q(r, 0.25), q(r, 0.75), r.length, n, target,
        q(target.startsWith("<") ? rb : ra, 0.5), q(target.startsWith("<") ? ra : rb, 0.5));
  }

  private static double q(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
  }
}
