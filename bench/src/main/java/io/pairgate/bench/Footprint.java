package io.pairgate.bench;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairingService;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.json.JsonPairingStore;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * Retained heap per paired device: pairs N devices (default 100 000) through the public API, each
 * with one {@code operator} token and 6 scopes, and measures the heap after full GCs before and
 * after, plus a class histogram difference. Every string a client sends is a fresh instance (as
 * when a gateway parses JSON frames), unless {@code --shared-strings} is given.
 *
 * <p>It also measures the retained heap per outstanding challenge ({@code "challenges"}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.pairgate.bench.Footprint [N] [--shared-strings]
 * [--memory-only]}, or {@code … Footprint --challenges N} for the challenge measurement alone;
 * prints one JSON object. {@code --memory-only} measures the in-memory store alone (no
 * store-json directory, no challenges).
 */
public final class Footprint {
  private static volatile Object sink;

  private Footprint() {}

  /** Runs the measurement and prints JSON to standard output. */
  public static void main(String[] args) throws Exception {
    int n = 100_000;
    boolean fresh = true;
    if (args.length == 2 && args[0].equals("--challenges")) {
      System.out.println(challengeBytes(Integer.parseInt(args[1])));
      return;
    }
    boolean memoryOnly = false;
    for (String a : args) {
      if (a.equals("--shared-strings")) {
        fresh = false;
      } else if (a.equals("--memory-only")) {
        memoryOnly = true;
      } else {
        n = Integer.parseInt(a);
      }
    }
    Result r = measure("memory", n, fresh, InMemoryPairingStore::new);
    if (memoryOnly) {
      System.out.println(r.toJson());
      return;
    }
    String json = jsonStoreCaches(n);
    String challenges = challengeBytes(n);
    System.out.println(r.toJson().replaceFirst("\\}$", ",\"jsonStore\":" + json
        + ",\"challenges\":" + challenges + "}"));
  }

  /**
   * Retained heap per outstanding challenge (issue #14 item 12): issues {@code n} challenges on a
   * service whose {@code maxChallenges} is {@code n} and keeps them unused, so the bound of
   * outstanding challenges can be turned into memory ({@code maxChallenges × bytesPerChallenge}).
   */
  static String challengeBytes(int n) throws Exception {
    PairingService service = PairingService.builder(new InMemoryPairingStore())
        .maxChallenges(n).auditLogging(false).build();
    for (int i = 0; i < 100; i++) {
      service.issueChallenge();
    }
    long before = usedAfterGc();
    List<Object> keep = new ArrayList<>(n);
    for (int i = 100; i < n; i++) {
      keep.add(service.issueChallenge());
    }
    keep.clear();
    long after = usedAfterGc();
    sink = service;
    return String.format(Locale.ROOT, "{\"outstanding\":%d,\"bytesPerChallenge\":%.1f}",
        n, (after - before) / (double) (n - 100));
  }

  /**
   * store-json's memory: a read-only open of the cached {@code n}-device directory (its request-id
   * index), then every device loaded once (its record cache, 10 000 records by default).
   */
  static String jsonStoreCaches(int n) throws Exception {
    java.nio.file.Path dir = JsonFixture.golden(n);
    long before = usedAfterGc();
    JsonPairingStore store = JsonPairingStore.builder(dir).readOnly().open();
    long opened = usedAfterGc();
    String after = "";
    int loaded = 0;
    while (true) {
      List<DeviceRecord> page = store.list(after, 1000);
      for (DeviceRecord r : page) {
        store.load(r.deviceId());
        loaded++;
      }
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).deviceId().value();
    }
    long cached = usedAfterGc();
    sink = store;
    store.close();
    int cacheSize = Math.min(loaded, 10_000);
    return String.format(Locale.ROOT,
        "{\"devices\":%d,\"openBytesPerDevice\":%.1f,\"cachedRecords\":%d,"
            + "\"bytesPerCachedRecord\":%.1f}",
        loaded, (opened - before) / (double) n, cacheSize,
        (cached - opened) / (double) cacheSize);
  }

  /** What one measurement found. */
  record Result(
      String store,
      int devices,
      boolean freshStrings,
      double storeBytesPerDevice,
      double withServiceBytesPerDevice,
      double seconds,
      List<Map.Entry<String, long[]>> topClasses) {
    String toJson() {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT,
          "{\"store\":\"%s\",\"devices\":%d,\"freshStrings\":%b,\"storeBytesPerDevice\":%.1f,"
              + "\"withServiceBytesPerDevice\":%.1f,\"seconds\":%.1f,\"jdk\":\"%s\",\"classes\":[",
          store, devices, freshStrings, storeBytesPerDevice, withServiceBytesPerDevice, seconds,
          System.getProperty("java.vm.version")));
      for (int i = 0; i < topClasses.size(); i++) {
        Map.Entry<String, long[]> e = topClasses.get(i);
        b.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT,
            "{\"class\":\"%s\",\"instancesPerDevice\":%.2f,\"bytesPerDevice\":%.1f}",
            e.getKey().replace("\"", ""), e.getValue()[0] / (double) devices,
            e.getValue()[1] / (double) devices));
      }
      return b.append("]}").toString();
    }
  }

  static Result measure(String name, int n, boolean fresh, Supplier<PairingStore> open)
      throws Exception {
    long t0 = System.nanoTime();
    PairingStore store = open.get();
    PairingService service = PairingService.builder(store).build();
    Clock clock = Clock.systemUTC();
    // Warm the code paths and the service's fixed-size structures before the baseline.
    for (int i = 0; i < 100; i++) {
      Fleet.pair(service, Fleet.key(-1 - i), clock, fresh);
    }
    long before = usedAfterGc();
    Map<String, long[]> histBefore = histogram();
    Fleet.pairMany(service, 0, n, clock, fresh, false);
    long withService = usedAfterGc();
    Map<String, long[]> histAfter = histogram();
    sink = service;
    sink = null;
    service = null;
    long storeOnly = usedAfterGc();
    // The service holds a bounded key cache and the outstanding challenges; what is left after
    // dropping it is the store's own retained size.
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Map.Entry<String, long[]>> top = new ArrayList<>();
    for (Map.Entry<String, long[]> e : histAfter.entrySet()) {
      long[] b = histBefore.getOrDefault(e.getKey(), new long[2]);
      long[] d = {e.getValue()[0] - b[0], e.getValue()[1] - b[1]};
      if (d[1] > 0) {
        top.add(Map.entry(e.getKey(), d));
      }
    }
    top.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
    top = new ArrayList<>(top.subList(0, Math.min(15, top.size())));
    Result r =
        new Result(name, n, fresh, (storeOnly - before) / (double) n,
            (withService - before) / (double) n, seconds, top);
    sink = store;
    store.close();
    return r;
  }

  /** Heap in use after repeated full collections. */
  static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  /** The live-object class histogram ({@code GC.class_histogram}): class to {instances, bytes}. */
  static Map<String, long[]> histogram() throws Exception {
    String text =
        (String)
            ManagementFactory.getPlatformMBeanServer()
                .invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram",
                    new Object[] {new String[0]},
                    new String[] {String[].class.getName()});
    Map<String, long[]> out = new HashMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        out.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    return out;
  }
}
