package io.pairgate.store.json;

import io.pairgate.DeviceKeyPair;
import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The process {@link CrashTest} kills: threads that each own some devices write records in a loop
 * through one {@link JsonPairingStore} and report every step on stdout, flushed line by line:
 * {@code B <thread> <device> <expectedVersion> <tag> .} before a compareAndSet, then
 * {@code A <thread> <device> <newVersion> <tag> .} once it returned true (acknowledged). Access
 * times are touched in between and flushed every 20 ms, so kills also land in flushes.
 *
 * <p>Arguments: directory, threads, devices per thread, seed.
 */
public final class CrashChild {
  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int threads = Integer.parseInt(args[1]);
    int perThread = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    try (JsonPairingStore store =
        JsonPairingStore.builder(dir).touchFlushInterval(Duration.ofMillis(20)).open()) {
      List<Thread> ts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        Thread th = new Thread(() -> {
          try {
            loop(store, out, tt, CrashWorkload.keys(tt, perThread), new Random(seed * 31 + tt),
                seed);
          } catch (Throwable e) {
            synchronized (out) {
              out.println("E " + tt + " " + describe(e));
              out.flush();
            }
            System.exit(3);
          }
        });
        ts.add(th);
        th.start();
      }
      for (Thread th : ts) {
        th.join();
      }
    }
  }

  /** The exception and where it came from, on one line for the parent's assertion message. */
  static String describe(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e));
    StackTraceElement[] st = e.getStackTrace();
    for (int i = 0; i < Math.min(8, st.length); i++) {
      b.append(" | at ").append(st[i]);
    }
    if (e.getCause() != null && e.getCause() != e) {
      b.append(" | caused by ").append(describe(e.getCause()));
    }
    return b.toString();
  }

  private static void loop(JsonPairingStore store, PrintStream out, int t,
      List<DeviceKeyPair> keys, Random r, long seed) {
    for (long n = 0; ; n++) {
      DeviceKeyPair k = keys.get(r.nextInt(keys.size()));
      if (r.nextInt(4) == 0) {
        store.touch(k.deviceId(), Role.OPERATOR, Instant.now());
        continue;
      }
      DeviceRecord cur = store.load(k.deviceId()).orElse(null);
      long v = cur == null ? 0 : cur.version();
      String tag = CrashWorkload.tag(r, cur != null, "s" + seed + "t" + t + "n" + n);
      DeviceRecord next = CrashWorkload.record(k, v + 1, tag);
      String id = k.deviceId().value();
      synchronized (out) {
        out.println("B " + t + " " + id + " " + v + " " + tag + " .");
        out.flush();
      }
      boolean ok = store.compareAndSet(v, next);
      synchronized (out) {
        out.println((ok ? "A " : "F ") + t + " " + id + " " + (v + 1) + " " + tag + " .");
        out.flush();
      }
    }
  }
}
