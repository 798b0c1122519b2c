package io.pairgate.bench;

import io.pairgate.DeviceKeyPair;
import io.pairgate.TokenHash;
import io.pairgate.store.json.JsonPairingStore;
import io.pairgate.store.json.OpenClawFiles;
import io.pairgate.testkit.openclaw.OpenClawInstall;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The side-by-side gateway benchmark's Java half, driven by {@code bench/run.sh gateway}:
 *
 * <ul>
 *   <li>{@code populate --devices N --state DIR}: writes OpenClaw's {@code DIR/devices/paired.json}
 *       with N paired operator devices (keys {@link WsLoad#key}{@code ("paired", i)}, scopes
 *       {@code operator.pairing} + {@code operator.read}); the same file is imported into Pairgate.
 *   <li>{@code install}: installs (or reuses) OpenClaw 2026.6.10 on Node 22.23.3 with the tests'
 *       {@link OpenClawInstall} and prints {@code NODE=…} and {@code OPENCLAW_MJS=…}.
 *   <li>{@code measure --url U --token T --devices N --pid P --out F [options]}: the phases below
 *       against a running gateway, written to F as JSON.
 * </ul>
 *
 * <p>Phases of {@code measure}: ready (device 0 connects until hello-ok, within
 * {@code --ready-timeout}); the single-thread Bouncy Castle Ed25519 decode+verify rate, in this JVM
 * while the gateway is idle; warm-up; quiet paired reconnects ({@code --concurrency} closed loops of
 * full cycles by random paired devices); approve round trips (an operator connection, device 0,
 * times {@code device.pair.approve} of requests knocked by fresh keys); the unpaired storm
 * ({@code --storm-keys} new keys knocking at {@code --storm-rate} per second in all, from
 * {@code X-Forwarded-For} addresses so the gateway treats them as remote, while the paired loops
 * go on); {@code device.pair.list} for the pending count; the gateway's RSS from
 * {@code /proc/<pid>/status} (the process and its descendants).
 */
public final class GatewayBench {
  static final List<String> PAIRED_SCOPES = List.of("operator.pairing", "operator.read");
  static final List<String> RECONNECT_SCOPES = List.of("operator.pairing");
  static final List<String> KNOCK_SCOPES = List.of("operator.read");

  private GatewayBench() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: GatewayBench populate|install|measure …");
    }
    Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
    switch (args[0]) {
      case "populate" -> populate(Integer.parseInt(o.get("devices")), Path.of(o.get("state")));
      case "import" -> importStore(Path.of(o.get("state")), o.get("store"), o.get("sqlite"),
          Integer.parseInt(o.getOrDefault("through", "1000")));
      case "install" -> {
        OpenClawInstall oc = OpenClawInstall.ensure(OpenClawInstall.OPENCLAW_2026_6);
        System.out.println("NODE=" + oc.node());
        System.out.println("OPENCLAW_MJS=" + oc.openclawMjs());
      }
      case "measure" -> {
        ObjectNode r = measure(Options.of(o));
        Files.writeString(Path.of(o.get("out")), WsLoad.JSON.writerWithDefaultPrettyPrinter()
            .writeValueAsString(r));
      }
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  /** Writes {@code state/devices/paired.json} (OpenClaw 2026.6's format) for n devices. */
  static void populate(int n, Path state) throws IOException {
    Path devices = state.resolve("devices");
    Files.createDirectories(devices);
    long now = System.currentTimeMillis();
    String scopes = "[\"operator.pairing\",\"operator.read\"]";
    try (BufferedWriter w = Files.newBufferedWriter(devices.resolve("paired.json"),
        StandardCharsets.UTF_8)) {
      w.write("{\n");
      for (int i = 0; i < n; i++) {
        DeviceKeyPair k = WsLoad.key("paired", i);
        String id = k.deviceId().value();
        w.write("  \"" + id + "\": {\"deviceId\":\"" + id + "\",\"publicKey\":\""
            + k.publicKey().base64Url() + "\",\"platform\":\"linux\",\"clientId\":\"cli\","
            + "\"clientMode\":\"cli\",\"role\":\"operator\",\"roles\":[\"operator\"],\"scopes\":"
            + scopes + ",\"approvedScopes\":" + scopes + ",\"tokens\":{\"operator\":{\"token\":\""
            + token(k) + "\",\"role\":\"operator\",\"scopes\":" + scopes
            + ",\"createdAtMs\":" + now + "}},\"createdAtMs\":" + now + ",\"approvedAtMs\":" + now
            + "}" + (i + 1 < n ? "," : "") + "\n");
      }
      w.write("}\n");
    }
  }

  /**
   * The fast prepopulation for large fleets, where {@code pairgate store import-openclaw} takes
   * too long on this machine (every device is a durable write: 10 000 took 128 s here).
   * SQLite ({@code sqlite} set): the whole file through {@link OpenClawFiles#importInto}, the
   * same code the CLI runs, on a store with {@code durableCommits(false)} (the gateway later opens
   * it durably). store-json ({@code store} set): the first {@code through} devices through
   * {@link OpenClawFiles#importInto}; every other device file is device 0's imported file with its
   * identity strings (device id, public key, token hash) replaced by that device's, as
   * {@link JsonFixture} does; the store then opens the directory read-only, which parses every
   * file, and the count is checked.
   */
  static void importStore(Path state, @Nullable String jsonDir, @Nullable String sqliteFile,
      int through) throws IOException {
    Path devicesDir = state.resolve("devices");
    if (sqliteFile != null) {
      try (var store = io.pairgate.store.jdbc.JdbcPairingStore.sqlite(Path.of(sqliteFile))
          .durableCommits(false).open()) {
        var report = OpenClawFiles.importInto(store, devicesDir);
        System.err.println("gateway-bench: imported " + report.pairedCount() + " into SQLite");
      }
      return;
    }
    Path dir = Path.of(java.util.Objects.requireNonNull(jsonDir, "--store or --sqlite"));
    List<String> lines = Files.readAllLines(devicesDir.resolve("paired.json"));
    int n = lines.size() - 2;  // populate writes "{", one device per line, "}"
    int k = Math.min(n, through);
    Path part = Files.createTempDirectory("gateway-bench-import");
    Files.createDirectories(part.resolve("devices"));
    List<String> head = new ArrayList<>(lines.subList(0, k + 1));
    String lastLine = head.get(k);
    if (lastLine.endsWith(",")) {
      head.set(k, lastLine.substring(0, lastLine.length() - 1));
    }
    head.add("}");
    Files.write(part.resolve("devices/paired.json"), head);
    try (JsonPairingStore store = JsonPairingStore.open(dir)) {
      OpenClawFiles.importInto(store, part.resolve("devices"));
    }
    Files.delete(part.resolve("devices/paired.json"));
    Files.delete(part.resolve("devices"));
    Files.delete(part);
    DeviceKeyPair k0 = WsLoad.key("paired", 0);
    String id0 = k0.deviceId().value();
    Path f0 = dir.resolve("devices").resolve(id0.substring(0, 2)).resolve(id0 + ".json");
    String template = Files.readString(f0);
    String hash0 = TokenHash.of(token(k0)).encoded();
    if (!template.contains(hash0) || !template.contains(k0.publicKey().base64Url())) {
      throw new IllegalStateException("device 0's file does not hold its key and token hash");
    }
    for (int i = k; i < n; i++) {
      DeviceKeyPair key = WsLoad.key("paired", i);
      String id = key.deviceId().value();
      String text = template.replace(id0, id)
          .replace(k0.publicKey().base64Url(), key.publicKey().base64Url())
          .replace(hash0, TokenHash.of(token(key)).encoded());
      Path f = dir.resolve("devices").resolve(id.substring(0, 2)).resolve(id + ".json");
      Files.createDirectories(f.getParent());
      Files.writeString(f, text);
    }
    try (JsonPairingStore store = JsonPairingStore.builder(dir).readOnly().open()) {
      int paired = 0;
      String after = "";
      while (true) {
        var page = store.list(after, 5000);
        for (var r : page) {
          if (r.paired() != null) {
            paired++;
          }
        }
        if (page.size() < 5000) {
          break;
        }
        after = page.get(page.size() - 1).deviceId().value();
      }
      if (paired != n) {
        throw new IllegalStateException("expected " + n + " paired devices, the store has "
            + paired);
      }
    }
    System.err.println("gateway-bench: " + k + " devices imported, " + (n - k) + " cloned");
  }

  /** Device {@code k}'s token in the populated paired.json. */
  static String token(DeviceKeyPair k) {
    byte[] tok = Arrays.copyOf(k.seed(), 32);
    tok[0] ^= 0x5a;  // a token derived from, but not equal to, the seed
    return Base64.getUrlEncoder().withoutPadding().encodeToString(tok);
  }

  /** The options of {@code measure}, with their defaults (the full run's). */
  record Options(String url, String token, int devices, long pid, double readyTimeoutS,
      double verifyS, double warmupS, double quietS, double stormS, int concurrency,
      int stormKeys, int stormRate, int approvals, double approveBudgetS, String family) {
    static Options of(Map<String, String> o) {
      return new Options(o.get("url"), o.get("token"), Integer.parseInt(o.get("devices")),
          Long.parseLong(o.getOrDefault("pid", "0")), d(o, "ready-timeout", 600),
          d(o, "verify", 3), d(o, "warmup", 5), d(o, "quiet", 15), d(o, "storm", 15),
          (int) d(o, "concurrency", 8), (int) d(o, "storm-keys", 1000),
          (int) d(o, "storm-rate", 500), (int) d(o, "approvals", 20), d(o, "approve-budget", 60),
          o.getOrDefault("family", "run" + System.currentTimeMillis()));
    }

    private static double d(Map<String, String> o, String k, double def) {
      return o.containsKey(k) ? Double.parseDouble(o.get(k)) : def;
    }
  }

  /** Runs every phase against the gateway at {@code o.url}. */
  static ObjectNode measure(Options o) throws Exception {
    ObjectNode r = WsLoad.JSON.createObjectNode();
    r.put("devices", o.devices());
    r.put("concurrency", o.concurrency());
    r.put("loadStart", loadAverage());
    try (WsLoad load = new WsLoad(o.url(), o.token(), 3)) {
      DeviceKeyPair operator = WsLoad.key("paired", 0);
      long t0 = System.nanoTime();
      long deadline = t0 + (long) (o.readyTimeoutS() * 1e9);
      WsLoad.Result first = null;
      while (System.nanoTime() < deadline) {
        first = load.connect(operator, PAIRED_SCOPES, Map.of()).get();
        if (first.ok()) {
          break;
        }
        System.err.println("gateway-bench: not ready yet: " + first.code());
        Thread.sleep(Math.max(500, Math.min(5000, first.retryAfterMs())));
      }
      r.put("readySeconds", (System.nanoTime() - t0) / 1e9);
      if (first == null || !first.ok()) {
        r.put("loaded", false);
        r.put("notLoadedReason", first == null ? "no answer" : first.code());
        return r;
      }
      r.put("loaded", true);
      r.put("bcVerifyPerSecond", bcVerifyRate(o.verifyS()));
      progress("warm-up");
      closedLoop(load, o, o.warmupS(), null);
      progress("quiet");
      r.set("quiet", closedLoop(load, o, o.quietS(), null));
      progress("approvals");
      WsLoad.Session op = null;
      try {
        op = load.session(operator, PAIRED_SCOPES);
        r.set("approve", approvals(load, op, o));
      } catch (Exception e) {
        r.put("approveError", String.valueOf(e));
      }
      progress("storm");
      Storm storm = new Storm(load, o);
      r.set("storm", closedLoop(load, o, o.stormS(), storm));
      r.set("stormKnocks", storm.summary());
      try {
        if (op == null) {
          op = load.session(operator, PAIRED_SCOPES);
        }
        // Pairgate's pairgate.pending lists only the pending requests; OpenClaw has only
        // device.pair.list, which carries every paired device too (slow with 100 000)
        JsonNode list = op.call("pairgate.pending", WsLoad.JSON.createObjectNode());
        String via = "pairgate.pending";
        if (!list.path("ok").asBoolean(false)) {
          list = op.call("device.pair.list", WsLoad.JSON.createObjectNode(),
              java.time.Duration.ofSeconds(180));
          via = "device.pair.list";
        }
        r.put("listOk", list.path("ok").asBoolean(false));
        r.put("pendingVia", via);
        r.put("pendingAfterStorm", list.path("payload").path("pending").size());
        if (list.path("payload").has("paired")) {
          r.put("pairedListed", list.path("payload").path("paired").size());
        }
      } catch (Exception e) {
        r.put("listError", String.valueOf(e));
      } finally {
        if (op != null) {
          op.close();
        }
      }
    }
    if (o.pid() > 0) {
      r.set("rss", rss(o.pid()));
    }
    r.put("loadEnd", loadAverage());
    return r;
  }

  private static void progress(String phase) {
    System.err.println("gateway-bench: " + phase);
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * {@code concurrency} closed loops of paired reconnects for {@code seconds}; with a storm, the
   * storm's knocks run at the same time. Reports cycles per second and latency percentiles.
   */
  static ObjectNode closedLoop(WsLoad load, Options o, double seconds, @Nullable Storm storm)
      throws Exception {
    long gatewayCpu0 = cpuMillis(o.pid());
    long selfCpu0 = selfCpuMillis();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    ConcurrentLinkedQueue<Long> ok = new ConcurrentLinkedQueue<>();
    Map<String, AtomicInteger> codes = new java.util.concurrent.ConcurrentHashMap<>();
    CountDownLatch lanes = new CountDownLatch(o.concurrency());
    AtomicLong lastOk = new AtomicLong(start);
    for (int l = 0; l < o.concurrency(); l++) {
      lane(load, o, end, ok, lastOk, codes, lanes);
    }
    @Nullable Thread knocker = null;
    if (storm != null) {
      knocker = new Thread(() -> storm.run(end), "storm");
      knocker.start();
    }
    // lanes end at the first answer after the end (an unanswered connect times out after 30 s)
    lanes.await(60 + (long) seconds, TimeUnit.SECONDS);
    if (knocker != null) {
      knocker.join();
    }
    ObjectNode r = WsLoad.JSON.createObjectNode();
    // from the start to the last completion (at least the phase): cycles per second of a closed
    // loop whose last cycles may end after the phase
    double elapsed = Math.max(end, lastOk.get()) - start;
    elapsed /= 1e9;
    long[] lat = ok.stream().mapToLong(Long::longValue).sorted().toArray();
    r.put("seconds", elapsed);
    r.put("ok", lat.length);
    r.put("perSecond", lat.length / elapsed);
    ms(r, "p50Ms", pct(lat, 50));
    ms(r, "p99Ms", pct(lat, 99));
    ObjectNode c = r.putObject("errors");
    new TreeMap<>(codes).forEach((k, v) -> c.put(k, v.get()));
    // CPU time per allowed reconnect: less sensitive to other processes than a rate (with a
    // storm, the knocks' CPU is included)
    if (o.pid() > 0 && lat.length > 0) {
      r.put("gatewayCpuMsPerOk", (cpuMillis(o.pid()) - gatewayCpu0) / (double) lat.length);
    }
    if (lat.length > 0) {
      r.put("loadGeneratorCpuMsPerOk", (selfCpuMillis() - selfCpu0) / (double) lat.length);
    }
    return r;
  }

  /** User + system CPU time of {@code pid} and its descendants, in ms (0 when unknown). */
  static long cpuMillis(long pid) {
    if (pid <= 0) {
      return 0;
    }
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    long ticks = 0;
    for (long p : pids) {
      try {
        String stat = Files.readString(Path.of("/proc/" + p + "/stat"));
        // fields after the command name in parentheses; utime and stime are fields 14 and 15
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        // a process that exited in between
      }
    }
    return ticks * 10;  // USER_HZ is 100 on Linux
  }

  private static long selfCpuMillis() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1_000_000;
    }
    return 0;
  }

  private static void lane(WsLoad load, Options o, long end, ConcurrentLinkedQueue<Long> ok,
      AtomicLong lastOk, Map<String, AtomicInteger> codes, CountDownLatch lanes) {
    int i = java.util.concurrent.ThreadLocalRandom.current().nextInt(o.devices());
    load.connect(WsLoad.key("paired", i), RECONNECT_SCOPES, Map.of()).thenAccept(res -> {
      long now = System.nanoTime();
      // every cycle started before the end counts, also when it ends after it: a gateway slower
      // than the phase would otherwise show no completions at all
      if (res.ok()) {
        ok.add(res.latencyNanos());
        lastOk.accumulateAndGet(now, Math::max);
      } else {
        codes.computeIfAbsent(res.code(), k -> new AtomicInteger()).incrementAndGet();
      }
      if (now < end) {
        lane(load, o, end, ok, lastOk, codes, lanes);
      } else {
        lanes.countDown();
      }
    });
  }

  static double pct(long[] sorted, int p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
  }

  /** Puts a time in ms, or null when there was none (NaN). */
  private static void ms(ObjectNode r, String key, double v) {
    if (Double.isNaN(v)) {
      r.putNull(key);
    } else {
      r.put(key, v);
    }
  }

  /** The header that makes a knock remote: a distinct documentation-range address per key. */
  static Map<String, String> forwarded(int i) {
    return Map.of("X-Forwarded-For", "198.18." + ((i >> 8) & 0xff) + "." + (i & 0xff));
  }

  /** Open-loop knocks of new keys at a fixed rate, at most a bounded number in flight. */
  static final class Storm {
    private final WsLoad load;
    private final Options o;
    private final DeviceKeyPair[] keys;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final Map<String, AtomicInteger> codes = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong answeredInWindow = new AtomicLong();
    private final AtomicLong lastAnswer = new AtomicLong();
    private volatile long start;
    private volatile double seconds;

    Storm(WsLoad load, Options o) {
      this.load = load;
      this.o = o;
      this.keys = new DeviceKeyPair[o.stormKeys()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = WsLoad.key("storm-" + o.family(), i);
      }
    }

    void run(long end) {
      start = System.nanoTime();
      long interval = 1_000_000_000L / Math.max(1, o.stormRate());
      for (long n = 0; ; n++) {
        long at = start + n * interval;
        if (at >= end) {
          break;
        }
        long wait = at - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        if (inFlight.get() >= 2 * o.stormRate()) {
          skipped.incrementAndGet();
          continue;
        }
        int k = (int) (n % keys.length);
        inFlight.incrementAndGet();
        sent.incrementAndGet();
        load.connect(keys[k], KNOCK_SCOPES, forwarded(k))
            .thenAccept(res -> {
              long now = System.nanoTime();
              codes.computeIfAbsent(res.code(), c -> new AtomicInteger()).incrementAndGet();
              if (!res.code().equals("IO") && !res.code().equals("TIMEOUT")
                  && !res.code().equals("CLOSED")) {
                answered.incrementAndGet();
                lastAnswer.accumulateAndGet(now, Math::max);
                if (now <= end) {
                  answeredInWindow.incrementAndGet();
                }
              }
              inFlight.decrementAndGet();
            });
      }
      seconds = (end - start) / 1e9;
      // knocks still in flight are answered (or time out, after 30 s) before the phase ends
      long grace = System.nanoTime() + 35_000_000_000L;
      while (inFlight.get() > 0 && System.nanoTime() < grace) {
        LockSupport.parkNanos(20_000_000L);
      }
    }

    ObjectNode summary() {
      ObjectNode r = WsLoad.JSON.createObjectNode();
      r.put("keys", keys.length);
      r.put("offeredPerSecond", o.stormRate());
      r.put("sent", sent.get());
      r.put("notSentTooManyInFlight", skipped.get());
      r.put("answered", answered.get());
      r.put("answeredInWindow", answeredInWindow.get());
      r.put("unansweredAfterGrace", inFlight.get());
      // answers per second from the first knock to the last answer (knocks sent in the window)
      double span = Math.max(seconds, (lastAnswer.get() - start) / 1e9);
      r.put("answerSeconds", span);
      r.put("answeredPerSecond", span > 0 ? answered.get() / span : 0);
      ObjectNode c = r.putObject("codes");
      new TreeMap<>(codes).forEach((k, v) -> c.put(k, v.get()));
      return r;
    }
  }

  /** Approve round trips: knock with a fresh key (untimed), then time the approve RPC. */
  static ObjectNode approvals(WsLoad load, WsLoad.Session op, Options o) throws Exception {
    List<Long> times = new ArrayList<>();
    Map<String, Integer> failures = new TreeMap<>();
    long budgetEnd = System.nanoTime() + (long) (o.approveBudgetS() * 1e9);
    for (int j = 0; j < o.approvals() && System.nanoTime() < budgetEnd; j++) {
      DeviceKeyPair k = WsLoad.key("approve-" + o.family(), j);
      WsLoad.Result knock = load.connect(k, KNOCK_SCOPES, forwarded(60_000 + j)).get();
      if (knock.requestId().isEmpty()) {
        failures.merge("knock " + knock.code(), 1, Integer::sum);
        continue;
      }
      ObjectNode p = WsLoad.JSON.createObjectNode();
      p.put("requestId", knock.requestId());
      long t = System.nanoTime();
      JsonNode res;
      try {
        res = op.call("device.pair.approve", p);
      } catch (java.util.concurrent.TimeoutException e) {
        failures.merge("approve: no answer within 30 s", 1, Integer::sum);
        continue;
      }
      long dt = System.nanoTime() - t;
      if (res.path("ok").asBoolean(false)) {
        times.add(dt);
      } else {
        failures.merge("approve " + res.path("error").path("message").asString(""), 1,
            Integer::sum);
      }
    }
    long[] lat = times.stream().mapToLong(Long::longValue).sorted().toArray();
    ObjectNode r = WsLoad.JSON.createObjectNode();
    r.put("ok", lat.length);
    ms(r, "p50Ms", pct(lat, 50));
    ms(r, "maxMs", lat.length == 0 ? Double.NaN : lat[lat.length - 1] / 1e6);
    ObjectNode f = r.putObject("failures");
    failures.forEach(f::put);
    return r;
  }

  /**
   * Single-thread Bouncy Castle Ed25519 decode + verify per second of a v3-sized payload (what a
   * signed connect costs at least): {@code new Ed25519PublicKeyParameters(raw)} and
   * {@code Ed25519Signer} verify, over 64 prepared (key, message, signature) triples.
   */
  static double bcVerifyRate(double seconds) {
    int n = 64;
    byte[][] keys = new byte[n][];
    byte[][] msgs = new byte[n][];
    byte[][] sigs = new byte[n][];
    for (int i = 0; i < n; i++) {
      DeviceKeyPair k = WsLoad.key("verify", i);
      String payload = "v3|" + k.deviceId().value() + "|cli|cli|operator|operator.pairing|"
          + (1796397444633L + i) + "|tok-shared-0123456789abcdef|"
          + java.util.UUID.nameUUIDFromBytes(new byte[] {(byte) i}) + "|linux|";
      keys[i] = k.publicKey().rawBytes();
      msgs[i] = payload.getBytes(StandardCharsets.UTF_8);
      sigs[i] = Base64.getUrlDecoder().decode(k.sign(payload));
    }
    long ops = 0;
    long warm = System.nanoTime() + 500_000_000L;
    long start = 0;
    long end = Long.MAX_VALUE;
    boolean measuring = false;
    for (int i = 0; ; i++) {
      int j = i % n;
      Ed25519Signer v = new Ed25519Signer();
      v.init(false, new Ed25519PublicKeyParameters(keys[j], 0));
      v.update(msgs[j], 0, msgs[j].length);
      if (!v.verifySignature(sigs[j])) {
        throw new IllegalStateException("verify failed");
      }
      long now = System.nanoTime();
      if (!measuring && now >= warm) {
        measuring = true;
        start = now;
        end = now + (long) (seconds * 1e9);
      } else if (measuring) {
        ops++;
        if (now >= end) {
          return ops / ((now - start) / 1e9);
        }
      }
    }
  }

  /** VmRSS and VmHWM (KiB) of {@code pid} plus its descendants. */
  static ObjectNode rss(long pid) {
    long rss = 0;
    long hwm = 0;
    int processes = 0;
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    for (long p : pids) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + p + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rss += Long.parseLong(line.replaceAll("[^0-9]", ""));
            processes++;
          } else if (line.startsWith("VmHWM:")) {
            hwm += Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      } catch (IOException | RuntimeException e) {
        // a process that exited in between
      }
    }
    ObjectNode r = WsLoad.JSON.createObjectNode();
    r.put("processes", processes);
    r.put("rssMiB", rss / 1024.0);
    r.put("hwmMiB", hwm / 1024.0);
    return r;
  }
}
