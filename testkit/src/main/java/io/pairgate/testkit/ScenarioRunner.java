package io.pairgate.testkit;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.IssuedToken;
import io.pairgate.ForbiddenException;
import io.pairgate.InMemoryPairingStore;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.PairingService;
import io.pairgate.PairingServiceBuilder;
import io.pairgate.PendingRequest;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.SupersededException;
import io.pairgate.TokenSummary;
import io.pairgate.VirtualClock;
import io.pairgate.spi.PairingStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Runs language-neutral pairing scenario vectors (JSON, format in {@code docs/scenarios.md})
 * against a {@link PairingService} with a virtual clock. Each vector gets a fresh service over a
 * fresh store. The bundled vectors live under {@code io/pairgate/testkit/scenarios/} on the
 * classpath ({@link #runBundled()}).
 *
 * <pre>{@code
 * for (ScenarioResult r : ScenarioRunner.inMemory().runAll(Path.of("vectors"))) {
 *   System.out.println(r);   // PASS name, or FAIL name (file): step 3 (connect alice): expected … got …
 * }
 * }</pre>
 *
 * <p>To run the vectors against another store, pass a supplier of fresh, empty stores to
 * {@link #withStore}.
 */
public final class ScenarioRunner {
  /** The classpath folder of the bundled vectors. */
  public static final String BUNDLED_FOLDER = "io/pairgate/testkit/scenarios/";
  /** Where the virtual clock of every vector starts, in epoch milliseconds. */
  public static final long EPOCH_MS = VirtualClock.SCENARIO_EPOCH_MS;
  /** The socket peer of a connect without {@code peer}: a public (documentation) address. */
  public static final String DEFAULT_PEER = "203.0.113.10";
  /** The token a {@code shared-token} connect presents and signs. */
  public static final String SHARED_TOKEN = "scenario-shared-token";
  /** The token a {@code bad-device-token} connect presents and signs (never issued). */
  public static final String BAD_DEVICE_TOKEN = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  /** How far in the past a {@code stale} proof is signed. */
  public static final long STALE_MS = 125_000;

  private final Supplier<PairingStore> stores;

  private ScenarioRunner(Supplier<PairingStore> stores) {
    this.stores = stores;
  }

  /** A runner giving each vector a new {@link InMemoryPairingStore}. */
  public static ScenarioRunner inMemory() {
    return new ScenarioRunner(InMemoryPairingStore::new);
  }

  /** A runner giving each vector a store from {@code stores} (a fresh, empty one per call). */
  public static ScenarioRunner withStore(Supplier<PairingStore> stores) {
    return new ScenarioRunner(Objects.requireNonNull(stores, "stores"));
  }

  /** Runs one vector file. */
  public ScenarioResult run(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new ScenarioResult(file.toString(), file.toString(), ScenarioResult.Grade.ERROR,
          "cannot read: " + e, 0);
    }
    return run(file.toString(), text);
  }

  /**
   * Runs a vector file, or every {@code *.json} file under a directory (recursively, in path
   * order).
   *
   * @throws UncheckedIOException if the directory cannot be listed
   */
  public List<ScenarioResult> runAll(Path fileOrDirectory) {
    if (!Files.isDirectory(fileOrDirectory)) {
      return List.of(run(fileOrDirectory));
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(fileOrDirectory)) {
      files = walk.filter(p -> p.toString().endsWith(".json") && Files.isRegularFile(p))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<ScenarioResult> out = new ArrayList<>();
    for (Path f : files) {
      out.add(run(f));
    }
    return out;
  }

  /** Runs the vector in {@code json}; {@code source} names it in results. */
  public ScenarioResult run(String source, String json) {
    Scenario sc;
    try {
      sc = Scenario.parse(json);
    } catch (Json.ParseException | Malformed e) {
      return new ScenarioResult(source, source, ScenarioResult.Grade.ERROR, e.getMessage(), 0);
    }
    try (PairingStore store = stores.get()) {
      Execution ex;
      try {
        ex = new Execution(sc, source, store);
      } catch (PairgateException e) {
        // a config the service refuses (found by ScenarioVectorFuzzTest: a malformed
        // trustedProxies entry escaped as an exception): the vector is malformed, not a failure
        return new ScenarioResult(source, sc.name(), ScenarioResult.Grade.ERROR,
            Json.redact("config: " + e.getMessage()), 0);
      }
      return ex.run();
    }
  }

  /** The file names of the bundled vectors, from the folder's {@code index.txt}. */
  public static List<String> bundledNames() {
    String index = resource(BUNDLED_FOLDER + "index.txt");
    List<String> names = new ArrayList<>();
    for (String line : index.split("\n")) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("#")) {
        names.add(t);
      }
    }
    return names;
  }

  /** Runs every bundled vector. */
  public List<ScenarioResult> runBundled() {
    List<ScenarioResult> out = new ArrayList<>();
    for (String name : bundledNames()) {
      out.add(runBundled(name));
    }
    return out;
  }

  /** Runs one bundled vector by file name (e.g. {@code not-paired-approve.json}). */
  public ScenarioResult runBundled(String fileName) {
    String path = BUNDLED_FOLDER + fileName;
    return run("classpath:" + path, resource(path));
  }

  private static String resource(String path) {
    // Class (not ClassLoader) lookup: it also finds the bundled vectors when the testkit is a
    // named module, whose package io.pairgate.testkit.scenarios is not open
    try (InputStream in = ScenarioRunner.class.getResourceAsStream("/" + path)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("no classpath resource " + path));
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // THE place where vector config becomes service configuration. Every config field is mapped
  // here; when the service gains an option a vector should control, add it here (and to the
  // allowed config fields in Scenario.parse and to docs/scenarios.md).

  /** Vector {@code config}; absent fields keep the service defaults. */
  record Config(
      Optional<Long> pendingTtlMs,
      Optional<Long> skewMs,
      Optional<Boolean> autoApproveLocal,
      Optional<List<String>> trustedProxies,
      Optional<Long> maxPending,
      Optional<Long> maxPendingPerAddress,
      Optional<List<String>> allowedOrigins,
      Optional<Boolean> rejectUntrustedForwarded,
      Optional<List<String>> sameHostProxies,
      Optional<List<String>> browserContainerBridges,
      Optional<List<String>> neverSilent,
      Optional<List<String>> gatewayHosts) {}

  static PairingServiceBuilder configure(PairingServiceBuilder b, Config c) {
    c.pendingTtlMs().ifPresent(ms -> b.pendingTtl(Duration.ofMillis(ms)));
    c.skewMs().ifPresent(ms -> b.signatureSkew(Duration.ofMillis(ms)));
    c.autoApproveLocal().ifPresent(b::autoApproveLocal);
    c.trustedProxies().ifPresent(b::trustedProxies);
    c.maxPending().ifPresent(n -> b.maxPending(Math.toIntExact(n)));
    c.maxPendingPerAddress().ifPresent(n -> b.maxPendingPerAddress(Math.toIntExact(n)));
    c.allowedOrigins().ifPresent(b::allowedOrigins);
    c.rejectUntrustedForwarded().ifPresent(b::rejectUntrustedForwarded);
    c.sameHostProxies().ifPresent(b::sameHostProxies);
    c.browserContainerBridges().ifPresent(b::browserContainerBridges);
    c.neverSilent().ifPresent(b::neverSilent);
    c.gatewayHosts().ifPresent(b::gatewayHosts);
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // parsing

  /**
   * Vector content as an error message shows it: whole when it is a plausible name (at most 24
   * letters, dots, dashes, underscores, spaces or {@code $}), else its first 8 characters and an
   * ellipsis; quotes, backslashes and control characters become {@code ?}, so that the message's
   * own quoting (which {@link Json#redact} relies on) cannot be broken by the content (F12, F16).
   */
  static String shown(String text) {
    boolean name = text.length() <= 24 && text.matches("[A-Za-z._$ -]*");
    String cut = name || text.length() <= 8 ? text : text.substring(0, 8) + "\u2026";
    StringBuilder b = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      b.append(c == '"' || c == '\'' || c == '\\' || Character.isISOControl(c)
          || Character.isSurrogate(c) ? '?' : c);
    }
    return b.toString();
  }

  /** A malformed vector. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(Json.redact(message));
    }
  }

  /** A JSON object with field checks that name where a problem is. */
  private static final class Obj {
    final Map<String, Object> m;
    final String where;

    Obj(Object o, String where) {
      if (!(o instanceof Map<?, ?>)) {
        throw new Malformed(where + ": expected a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) o;
      this.m = map;
      this.where = where;
    }

    Obj allow(String... keys) {
      Set<String> ok = Set.of(keys);
      for (String k : m.keySet()) {
        if (!ok.contains(k)) {
          throw new Malformed(where + ": unknown field \"" + shown(k) + "\" (allowed: "
              + String.join(", ", new TreeSet<>(ok)) + ")");
        }
      }
      return this;
    }

    boolean has(String k) {
      return m.containsKey(k);
    }

    Object raw(String k) {
      Object v = m.get(k);
      if (v == null) {
        throw new Malformed(where + ": missing field \"" + k + "\"");
      }
      return v;
    }

    String str(String k) {
      Object v = raw(k);
      if (!(v instanceof String s)) {
        throw new Malformed(where + ": \"" + k + "\" must be a string");
      }
      return s;
    }

    String str(String k, String dflt) {
      return has(k) ? str(k) : dflt;
    }

    long num(String k) {
      Object v = raw(k);
      if (!(v instanceof Long l)) {
        throw new Malformed(where + ": \"" + k + "\" must be an integer");
      }
      return l;
    }

    boolean bool(String k) {
      Object v = raw(k);
      if (!(v instanceof Boolean b)) {
        throw new Malformed(where + ": \"" + k + "\" must be true or false");
      }
      return b;
    }

    List<String> strings(String k) {
      Object v = raw(k);
      if (!(v instanceof List<?> l)) {
        throw new Malformed(where + ": \"" + k + "\" must be an array of strings");
      }
      List<String> out = new ArrayList<>();
      for (Object e : l) {
        if (!(e instanceof String s)) {
          throw new Malformed(where + ": \"" + k + "\" must be an array of strings");
        }
        out.add(s);
      }
      return out;
    }

    Obj obj(String k) {
      // the key is vector content (a device name, a role): shown only as an excerpt (F12)
      return new Obj(raw(k), where + "." + shown(k));
    }

    List<Obj> objs(String k) {
      Object v = raw(k);
      if (!(v instanceof List<?> l)) {
        throw new Malformed(where + ": \"" + k + "\" must be an array of objects");
      }
      List<Obj> out = new ArrayList<>();
      for (int i = 0; i < l.size(); i++) {
        out.add(new Obj(l.get(i), where + "." + k + "[" + i + "]"));
      }
      return out;
    }
  }

  static final Set<String> OUTCOMES_CONNECT = Set.of("allowed", "pairing-required", "rejected");
  static final Map<String, String> SUCCESS = Map.of(
      "approve", "approved", "reject", "rejected", "rotate", "rotated", "revoke", "revoked",
      "remove", "removed", "block", "blocked", "unblock", "unblocked");
  static final Set<String> AUTHS =
      Set.of("none", "shared-token", "password", "device-token", "bad-device-token");
  static final Set<String> PROOFS = Set.of("valid", "bad-signature", "stale", "wrong-device-id",
      "bad-public-key", "no-nonce", "nonce-mismatch", "replayed-nonce");
  static final Set<String> HEADERS =
      Set.of("host", "origin", "x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host",
          "x-forwarded-proto");
  static final Set<String> REASONS =
      Set.of("not-paired", "role-upgrade", "scope-upgrade", "metadata-upgrade");
  static final Set<String> CHANGES = Set.of("created", "refreshed", "unchanged", "superseded");

  /** A parsed vector. */
  record Scenario(String name, Config config, Map<String, String> devices, List<Obj> steps) {
    static Scenario parse(String json) {
      Obj top = new Obj(Json.parse(json), "vector").allow("name", "description", "config",
          "devices", "steps");
      String name = top.str("name");
      if (top.has("description")) {
        top.str("description");
      }
      Config cfg = new Config(Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty());
      if (top.has("config")) {
        Obj c = top.obj("config").allow("pendingTtlMs", "skewMs", "autoApproveLocal",
            "trustedProxies", "maxPending", "maxPendingPerAddress", "allowedOrigins",
            "rejectUntrustedForwarded", "sameHostProxies", "browserContainerBridges",
            "neverSilent", "gatewayHosts");
        cfg = new Config(
            c.has("pendingTtlMs") ? Optional.of(c.num("pendingTtlMs")) : Optional.empty(),
            c.has("skewMs") ? Optional.of(c.num("skewMs")) : Optional.empty(),
            c.has("autoApproveLocal") ? Optional.of(c.bool("autoApproveLocal")) : Optional.empty(),
            c.has("trustedProxies") ? Optional.of(c.strings("trustedProxies")) : Optional.empty(),
            c.has("maxPending") ? Optional.of(c.num("maxPending")) : Optional.empty(),
            c.has("maxPendingPerAddress") ? Optional.of(c.num("maxPendingPerAddress"))
                : Optional.empty(),
            c.has("allowedOrigins") ? Optional.of(c.strings("allowedOrigins")) : Optional.empty(),
            c.has("rejectUntrustedForwarded") ? Optional.of(c.bool("rejectUntrustedForwarded"))
                : Optional.empty(),
            c.has("sameHostProxies") ? Optional.of(c.strings("sameHostProxies"))
                : Optional.empty(),
            c.has("browserContainerBridges") ? Optional.of(c.strings("browserContainerBridges"))
                : Optional.empty(),
            c.has("neverSilent") ? Optional.of(c.strings("neverSilent")) : Optional.empty(),
            c.has("gatewayHosts") ? Optional.of(c.strings("gatewayHosts")) : Optional.empty());
      }
      Map<String, String> devices = new LinkedHashMap<>();
      Obj d = top.obj("devices");
      for (String k : d.m.keySet()) {
        devices.put(k, d.obj(k).allow("seed").str("seed"));
      }
      List<Obj> steps = new ArrayList<>();
      List<Obj> raw = top.objs("steps");
      for (int i = 0; i < raw.size(); i++) {
        steps.add(validate(new Obj(raw.get(i).m, "step " + (i + 1)), devices));
      }
      return new Scenario(name, cfg, devices, steps);
    }

    private static Obj validate(Obj s, Map<String, String> devices) {
      String op = s.str("op");
      Obj step = new Obj(s.m, s.where + " (" + op + ")");
      switch (op) {
        case "connect" -> {
          step.allow("op", "comment", "device", "role", "scopes", "client", "peer", "headers",
              "auth", "proof", "signedAgoMs", "expect");
          device(step, devices);
          role(step);
          if (step.has("scopes")) {
            step.strings("scopes");
          }
          if (step.has("client")) {
            Obj c = step.obj("client").allow("id", "mode", "platform", "deviceFamily",
                "displayName", "version");
            for (String k : c.m.keySet()) {
              c.str(k);
            }
          }
          if (step.has("peer")) {
            step.str("peer");
          }
          if (step.has("headers")) {
            Obj h = step.obj("headers");
            for (String k : h.m.keySet()) {
              if (!HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                throw new Malformed(h.where + ": unknown header \"" + k + "\" (allowed: Host, "
                    + "Origin, X-Forwarded-For, X-Real-IP, Forwarded, X-Forwarded-Host, "
                    + "X-Forwarded-Proto)");
              }
              h.str(k);
            }
          }
          oneOf(step, "auth", AUTHS);
          oneOf(step, "proof", PROOFS);
          if (step.has("signedAgoMs")) {
            step.num("signedAgoMs");
          }
          if (step.has("expect")) {
            Obj e = step.obj("expect").allow("outcome", "reason", "requestId", "requestChange",
                "scopes", "tokenScopes", "tokenIssued", "secretDelivered", "missingScopes", "error",
                "pendingCount");
            oneOf(e, "outcome", OUTCOMES_CONNECT);
            oneOf(e, "reason", REASONS);
            oneOf(e, "requestChange", CHANGES);
            errorName(e);
            checkTypes(e);
          }
        }
        case "approve", "reject" -> {
          step.allow(op.equals("approve")
              ? new String[] {"op", "comment", "request", "approver", "expect"}
              : new String[] {"op", "comment", "request", "expect"});
          step.str("request");
          if (step.has("approver")) {
            step.obj("approver").allow("scopes").strings("scopes");
          }
          managementExpect(step, op, op.equals("approve")
              ? new String[] {"outcome", "error", "pendingCount", "alreadyApproved", "successor",
                  "missingScopes", "requestId"}
              : new String[] {"outcome", "error", "pendingCount", "successor", "requestId"});
        }
        case "rotate" -> {
          step.allow("op", "comment", "device", "role", "scopes", "expect");
          device(step, devices);
          role(step);
          if (step.has("scopes")) {
            step.strings("scopes");
          }
          managementExpect(step, op, "outcome", "error", "pendingCount", "scopes");
        }
        case "revoke" -> {
          step.allow("op", "comment", "device", "role", "expect");
          device(step, devices);
          role(step);
          managementExpect(step, op, "outcome", "error", "pendingCount", "scopes");
        }
        case "remove", "block", "unblock" -> {
          step.allow("op", "comment", "device", "expect");
          device(step, devices);
          managementExpect(step, op, "outcome", "error", "pendingCount");
        }
        case "advance" -> {
          step.allow("op", "comment", "ms");
          if (step.num("ms") < 0) {
            throw new Malformed(step.where + ": \"ms\" must not be negative");
          }
        }
        case "state" -> {
          step.allow("op", "comment", "expect");
          Obj e = step.obj("expect").allow("pending", "paired", "blocked", "pendingCount");
          if (e.has("pending") && !(e.raw("pending") instanceof Long)) {
            for (Obj p : e.objs("pending")) {
              p.allow("device", "role", "roles", "scopes", "requestId", "reason");
              device(p, devices);
              checkTypes(p);
            }
          }
          if (e.has("paired")) {
            for (Obj p : e.objs("paired")) {
              p.allow("device", "roles", "approvedScopes", "tokens");
              device(p, devices);
              checkTypes(p);
              if (p.has("tokens")) {
                Obj t = p.obj("tokens");
                for (String role : t.m.keySet()) {
                  Obj tk = t.obj(role).allow("scopes", "revoked");
                  checkTypes(tk);
                }
              }
            }
          }
          if (e.has("blocked")) {
            for (String n : e.strings("blocked")) {
              if (!devices.containsKey(n)) {
                throw new Malformed(e.where + ": unknown device \"" + shown(n) + "\"");
              }
            }
          }
          checkTypes(e);
        }
        default -> throw new Malformed(s.where + ": unknown op \"" + shown(op) + "\" (allowed: advance, "
            + "approve, block, connect, reject, remove, revoke, rotate, state, unblock)");
      }
      return step;
    }

    private static void device(Obj o, Map<String, String> devices) {
      String d = o.str("device");
      if (!devices.containsKey(d)) {
        throw new Malformed(o.where + ": unknown device \"" + shown(d) + "\" (declare it in \"devices\")");
      }
    }

    private static void role(Obj o) {
      if (o.has("role")) {
        String r = o.str("role");
        try {
          Role.of(r);
        } catch (PairgateException e) {
          throw new Malformed(o.where + ": bad role \"" + shown(r) + "\"");
        }
      }
    }

    private static void oneOf(Obj o, String k, Set<String> allowed) {
      if (o.has(k) && !allowed.contains(o.str(k))) {
        throw new Malformed(o.where + ": \"" + k + "\" must be one of "
            + String.join(", ", new TreeSet<>(allowed)) + ", not \"" + o.str(k) + "\"");
      }
    }

    private static void errorName(Obj o) {
      if (o.has("error")) {
        String e = o.str("error");
        try {
          io.pairgate.ErrorCode.fromWireName(e);
        } catch (io.pairgate.InvalidArgumentException ex) {
          throw new Malformed(o.where + ": unknown error name \"" + shown(e) + "\"");
        }
      }
    }

    private static void managementExpect(Obj step, String op, String... allowed) {
      if (!step.has("expect")) {
        return;
      }
      Obj e = step.obj("expect").allow(allowed);
      oneOf(e, "outcome", Set.of(SUCCESS.get(op), "error"));
      errorName(e);
      checkTypes(e);
    }

    private static void checkTypes(Obj e) {
      for (String k : e.m.keySet()) {
        switch (k) {
          case "scopes", "roles", "approvedScopes", "missingScopes", "tokenScopes" -> e.strings(k);
          case "tokenIssued", "secretDelivered", "alreadyApproved", "revoked" -> e.bool(k);
          case "pendingCount" -> e.num(k);
          case "requestId", "successor", "device" -> e.str(k);
          default -> { }
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // execution

  /** A step's expectation was not met. */
  private static final class Mismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Mismatch(String message) {
      super(message);
    }
  }

  private static final class Execution {
    final Scenario sc;
    final String source;
    final VirtualClock clock = VirtualClock.at(EPOCH_MS);
    final PairingService service;
    final Map<String, DeviceKeyPair> keys = new LinkedHashMap<>();
    final Map<String, String> nameOfId = new HashMap<>();
    final Map<String, String> vars = new HashMap<>();
    final Map<String, String> lastToken = new HashMap<>();
    final List<String> minted = new ArrayList<>();
    Challenge previousChallenge;
    String where = "";

    Execution(Scenario sc, String source, PairingStore store) {
      this.sc = sc;
      this.source = source;
      PairingServiceBuilder b = PairingService.builder(store)
          .clock(clock)
          .randomSource(SeededRandomSource.of(0))
          .auditLogging(false);
      this.service = configure(b, sc.config()).build();
      sc.devices().forEach((name, seed) -> {
        DeviceKeyPair k = SampleRecords.keyPair(seed);
        keys.put(name, k);
        nameOfId.put(k.deviceId().value(), name);
      });
    }

    ScenarioResult run() {
      int i = 0;
      try {
        for (; i < sc.steps().size(); i++) {
          Obj s = sc.steps().get(i);
          where = s.where + describe(s);
          step(s);
        }
        return new ScenarioResult(source, sc.name(), ScenarioResult.Grade.PASS, "", i);
      } catch (Mismatch e) {
        return new ScenarioResult(source, sc.name(), ScenarioResult.Grade.FAIL,
            where + ": " + e.getMessage(), i);
      } catch (Malformed e) {
        return new ScenarioResult(source, sc.name(), ScenarioResult.Grade.ERROR,
            e.getMessage(), i);
      } catch (RuntimeException e) {
        return new ScenarioResult(source, sc.name(), ScenarioResult.Grade.FAIL,
            where + ": the service threw " + e, i);
      }
    }

    private static String describe(Obj s) {
      String d = s.m.get("device") instanceof String x ? " " + x : "";
      String r = s.m.get("request") instanceof String x ? " " + x : "";
      return d + r;
    }

    void step(Obj s) {
      String op = s.str("op");
      switch (op) {
        case "connect" -> connect(s);
        case "approve" -> approve(s);
        case "reject" -> reject(s);
        case "rotate" -> management(s, () -> {
          IssuedToken t = s.has("scopes")
              ? service.rotate(id(s), role(s), ScopeSet.parse(s.strings("scopes")))
              : service.rotate(id(s), role(s));
          lastToken.put(tokenKey(s.str("device"), t.role()), t.secret().value());
          return Map.of("scopes", t.scopes().names());
        });
        case "revoke" -> management(s, () -> {
          TokenSummary t = service.revoke(id(s), role(s));
          return Map.of("scopes", t.scopes().names());
        });
        case "remove" -> management(s, () -> {
          service.remove(id(s));
          return Map.of();
        });
        case "block" -> management(s, () -> {
          service.block(id(s));
          return Map.of();
        });
        case "unblock" -> management(s, () -> {
          service.unblock(id(s));
          return Map.of();
        });
        case "advance" -> clock.advance(s.num("ms"));
        case "state" -> state(s.obj("expect"));
        default -> throw new Malformed(where + ": unknown op \"" + shown(op) + "\"");
      }
    }

    DeviceId id(Obj s) {
      return keys.get(s.str("device")).deviceId();
    }

    static Role role(Obj s) {
      return Role.of(s.str("role", "operator"));
    }

    // -- connect ---------------------------------------------------------------------------------

    void connect(Obj s) {
      String device = s.str("device");
      DeviceKeyPair key = keys.get(device);
      Role role = role(s);
      List<String> scopes = s.has("scopes") ? s.strings("scopes") : List.of();
      ClientInfo client = ClientInfo.of("test", "test", "linux");
      if (s.has("client")) {
        Obj c = s.obj("client");
        client = new ClientInfo(c.str("id", ""), c.str("mode", ""), c.str("platform", ""),
            c.str("deviceFamily", ""), c.str("displayName", ""), c.str("version", ""));
      }
      String auth = s.str("auth", "shared-token");
      String proof = s.str("proof", "valid");
      AuthMethod method;
      String token;
      switch (auth) {
        case "none" -> {
          method = AuthMethod.NONE;
          token = "";
        }
        case "password" -> {
          method = AuthMethod.PASSWORD;
          token = "";
        }
        case "device-token" -> {
          method = AuthMethod.DEVICE_TOKEN;
          token = lastToken.getOrDefault(tokenKey(device, role), "");
        }
        case "bad-device-token" -> {
          method = AuthMethod.DEVICE_TOKEN;
          token = BAD_DEVICE_TOKEN;
        }
        default -> {
          method = AuthMethod.SHARED_TOKEN;
          token = SHARED_TOKEN;
        }
      }
      Challenge challenge;
      if (proof.equals("replayed-nonce")) {
        if (previousChallenge == null) {
          throw new Malformed(where + ": proof \"replayed-nonce\" needs an earlier connect step");
        }
        challenge = previousChallenge;
      } else {
        challenge = service.issueChallenge();
      }
      previousChallenge = challenge;
      long now = clock.millis();
      long signedAt = s.has("signedAgoMs") ? now - s.num("signedAgoMs")
          : proof.equals("stale") ? now - STALE_MS : now;
      String nonce = switch (proof) {
        case "no-nonce" -> "";
        case "nonce-mismatch" -> "00000000-0000-4000-8000-00000000beef";
        default -> challenge.nonce();
      };
      String claimedId = proof.equals("wrong-device-id")
          ? SampleRecords.keyPair(sc.devices().get(device) + "#wrong").deviceId().value()
          : key.deviceId().value();
      String publicKey = proof.equals("bad-public-key") ? "not-a-public-key"
          : key.publicKey().base64Url();
      String payload = ProofPayload.v3(claimedId, client.clientId(), client.clientMode(),
          role.name(), scopes, signedAt, token, nonce, client.platform(), client.deviceFamily());
      String signature = key.sign(proof.equals("bad-signature") ? payload + "|tampered" : payload);
      Map<String, String> headers = new LinkedHashMap<>();
      if (s.has("headers")) {
        Obj h = s.obj("headers");
        h.m.keySet().forEach(k -> headers.put(k, h.str(k)));
      }
      ConnectAttempt attempt = ConnectAttempt.builder()
          .device(claimedId, publicKey)
          .role(role)
          .scopes(scopes)
          .client(client)
          .proof(signature, signedAt, nonce)
          .challenge(challenge)
          .auth(method, token)
          .peerAddress(s.str("peer", DEFAULT_PEER))
          .headers(headers)
          .build();
      ConnectResult r = service.connect(attempt);
      Obj e = s.has("expect") ? s.obj("expect") : null;
      if (r instanceof ConnectResult.Allowed a) {
        // the client keeps the last secret it was given; a reused token delivers none
        a.secret().ifPresent(x -> lastToken.put(tokenKey(device, role), x.value()));
        if (e != null) {
          eq(e, "outcome", "allowed", "outcome");
          setEq(e, "scopes", a.scopes().names(), "scopes");
          setEq(e, "tokenScopes", a.token().scopes().names(), "tokenScopes");
          boolEq(e, "tokenIssued", a.tokenIssued());
          boolEq(e, "secretDelivered", a.secret().isPresent());
          absent(e, "allowed", "reason", "requestId", "requestChange", "error", "missingScopes");
        }
      } else if (r instanceof ConnectResult.PairingRequired p) {
        String change = p.requestChange().name().toLowerCase(Locale.ROOT);
        if (change.equals("created") || change.equals("superseded")) {
          minted.add(p.requestId().value());
        }
        if (e != null) {
          eq(e, "outcome", "pairing-required", "outcome");
          eq(e, "reason", p.reason().wireName(), "reason");
          eq(e, "requestChange", change, "requestChange");
          if (e.has("missingScopes")) {
            List<String> missing = new ArrayList<>();
            p.missingScopes().forEach(x -> missing.add(x.value()));
            setEq(e, "missingScopes", missing, "missingScopes");
          }
          if (e.has("requestId")) {
            bindOrCheck(e.str("requestId"), p.requestId().value(), "requestId");
          }
          absent(e, "pairing-required", "error", "scopes", "tokenScopes", "tokenIssued",
              "secretDelivered");
        }
      } else {
        ConnectResult.Rejected rj = (ConnectResult.Rejected) r;
        if (e != null) {
          eq(e, "outcome", "rejected", "outcome (" + rj.code().wireName() + ": " + rj.message()
              + ")");
          eq(e, "error", rj.code().wireName(), "error");
          absent(e, "rejected", "reason", "requestId", "requestChange", "scopes", "tokenScopes",
              "tokenIssued", "secretDelivered", "missingScopes");
        }
      }
      if (e != null) {
        pendingCount(e);
      }
    }

    // -- approve / reject --------------------------------------------------------------------------

    String requestId(Obj s) {
      String r = s.str("request");
      if (r.equals("latest")) {
        Set<String> pending = new java.util.HashSet<>();
        service.list().pending().forEach(p -> pending.add(p.requestId().value()));
        for (int i = minted.size() - 1; i >= 0; i--) {
          if (pending.contains(minted.get(i))) {
            return minted.get(i);
          }
        }
        throw new Mismatch("\"latest\": there is no pending request to act on");
      }
      if (r.startsWith("$")) {
        String v = vars.get(r);
        if (v == null) {
          throw new Malformed(where + ": variable " + r + " is used before it is bound");
        }
        return v;
      }
      return r;
    }

    void approve(Obj s) {
      String id = requestId(s);
      Approver approver = s.has("approver")
          ? new Approver("scenario", ScopeSet.parse(s.obj("approver").strings("scopes")))
          : Approver.admin("scenario");
      Obj e = s.has("expect") ? s.obj("expect") : null;
      try {
        Approval a = service.approve(RequestId.of(id), approver);
        if (e != null) {
          eq(e, "outcome", "approved", "outcome");
          boolEq(e, "alreadyApproved", a.alreadyApproved());
          if (e.has("requestId")) {
            bindOrCheck(e.str("requestId"), a.requestId().value(), "requestId");
          }
          absent(e, "approved", "error", "successor", "missingScopes");
        }
      } catch (PairgateException ex) {
        if (e == null) {
          throw new Mismatch("approve failed unexpectedly: " + ex.code().wireName() + ": "
              + ex.getMessage());
        }
        error(e, ex);
      }
      if (e != null) {
        pendingCount(e);
      }
    }

    void reject(Obj s) {
      String id = requestId(s);
      Obj e = s.has("expect") ? s.obj("expect") : null;
      try {
        PendingRequest p = service.reject(RequestId.of(id));
        if (e != null) {
          eq(e, "outcome", "rejected", "outcome");
          if (e.has("requestId")) {
            bindOrCheck(e.str("requestId"), p.requestId().value(), "requestId");
          }
          absent(e, "rejected", "error", "successor");
        }
      } catch (PairgateException ex) {
        if (e == null) {
          throw new Mismatch("reject failed unexpectedly: " + ex.code().wireName() + ": "
              + ex.getMessage());
        }
        error(e, ex);
      }
      if (e != null) {
        pendingCount(e);
      }
    }

    void error(Obj e, PairgateException ex) {
      eq(e, "outcome", "error", "outcome (" + ex.code().wireName() + ": " + ex.getMessage() + ")");
      eq(e, "error", ex.code().wireName(), "error");
      if (e.has("successor")) {
        if (!(ex instanceof SupersededException se)) {
          throw new Mismatch("expected successor " + e.str("successor") + ", got error "
              + ex.code().wireName() + " without a successor");
        }
        bindOrCheck(e.str("successor"), se.successorRequestId().value(), "successor");
      }
      if (e.has("missingScopes")) {
        List<String> got = new ArrayList<>();
        if (ex instanceof ForbiddenException fe) {
          fe.missingScopes().forEach(x -> got.add(x.value()));
        }
        setEq(e, "missingScopes", got, "missingScopes");
      }
    }

    interface Action {
      Map<String, List<String>> run();
    }

    void management(Obj s, Action action) {
      String op = s.str("op");
      Obj e = s.has("expect") ? s.obj("expect") : null;
      try {
        Map<String, List<String>> result = action.run();
        if (e != null) {
          eq(e, "outcome", SUCCESS.get(op), "outcome");
          if (e.has("scopes")) {
            setEq(e, "scopes", result.getOrDefault("scopes", List.of()), "scopes");
          }
          absent(e, SUCCESS.get(op), "error");
        }
      } catch (PairgateException ex) {
        if (e == null) {
          throw new Mismatch(op + " failed unexpectedly: " + ex.code().wireName() + ": "
              + ex.getMessage());
        }
        error(e, ex);
      }
      if (e != null) {
        pendingCount(e);
      }
    }

    // -- state ---------------------------------------------------------------------------------

    void state(Obj e) {
      PairingListing l = service.list();
      pendingCount(e);
      if (e.has("pending")) {
        Object p = e.raw("pending");
        if (p instanceof Long n) {
          if (n != l.pending().size()) {
            throw new Mismatch("expected pending " + n + " got " + l.pending().size() + " "
                + pendingNames(l));
          }
        } else {
          List<Obj> want = e.objs("pending");
          if (want.size() != l.pending().size()) {
            throw new Mismatch("expected " + want.size() + " pending requests got "
                + l.pending().size() + " " + pendingNames(l));
          }
          for (Obj w : want) {
            String dev = w.str("device");
            PendingRequest got = l.pending().stream()
                .filter(x -> x.deviceId().equals(keys.get(dev).deviceId()))
                .findFirst()
                .orElseThrow(() -> new Mismatch("expected a pending request of " + dev + " got "
                    + pendingNames(l)));
            String what = "pending request of " + dev;
            if (w.has("role")) {
              eq(w, "role", got.role().name(), what + " role");
            }
            List<String> roles = new ArrayList<>();
            got.roles().forEach(r -> roles.add(r.name()));
            setEq(w, "roles", roles, what + " roles");
            setEq(w, "scopes", got.scopes().names(), what + " scopes");
            eq(w, "reason", got.reason().wireName(), what + " reason");
            if (w.has("requestId")) {
              bindOrCheck(w.str("requestId"), got.requestId().value(), what + " requestId");
            }
          }
        }
      }
      if (e.has("paired")) {
        List<Obj> want = e.objs("paired");
        if (want.size() != l.paired().size()) {
          List<String> names = new ArrayList<>();
          l.paired().forEach(x -> names.add(nameOf(x.deviceId())));
          throw new Mismatch("expected " + want.size() + " paired devices got "
              + l.paired().size() + " " + names);
        }
        for (Obj w : want) {
          String dev = w.str("device");
          PairedDeviceSummary got = l.paired().stream()
              .filter(x -> x.deviceId().equals(keys.get(dev).deviceId()))
              .findFirst()
              .orElseThrow(() -> new Mismatch("expected " + dev + " to be paired; it is not"));
          String what = "paired " + dev;
          List<String> roles = new ArrayList<>();
          got.roles().forEach(r -> roles.add(r.name()));
          setEq(w, "roles", roles, what + " roles");
          setEq(w, "approvedScopes", got.approvedScopes().names(), what + " approvedScopes");
          if (w.has("tokens")) {
            Obj tw = w.obj("tokens");
            for (String role : tw.m.keySet()) {
              Obj t = tw.obj(role);
              io.pairgate.TokenSummary ts = got.tokens().stream()
                  .filter(x -> x.role().name().equals(role))
                  .findFirst()
                  .orElseThrow(() -> new Mismatch("expected a " + role + " token on " + dev
                      + "; there is none"));
              setEq(t, "scopes", ts.scopes().names(), what + " " + role + " token scopes");
              boolEq(t, "revoked", ts.isRevoked());
            }
          }
        }
      }
      if (e.has("blocked")) {
        List<String> got = new ArrayList<>();
        l.blocked().forEach(x -> got.add(nameOf(x)));
        setEq(e, "blocked", got, "blocked");
      }
    }

    String pendingNames(PairingListing l) {
      List<String> out = new ArrayList<>();
      l.pending().forEach(p -> out.add(nameOf(p.deviceId()) + " " + p.roles() + " [" + p.scopes()
          + "]"));
      return out.toString();
    }

    /**
     * Where the token last delivered to a device is kept: per device id and role, so names that
     * share a seed (one device) share it (docs/scenarios.md §5).
     */
    String tokenKey(String deviceName, Object role) {
      return keys.get(deviceName).deviceId().value() + ":" + role;
    }

    String nameOf(DeviceId id) {
      return nameOfId.getOrDefault(id.value(), id.value());
    }

    // -- comparisons ---------------------------------------------------------------------------

    void pendingCount(Obj e) {
      if (e.has("pendingCount")) {
        int got = service.list().pending().size();
        if (got != e.num("pendingCount")) {
          throw new Mismatch("expected pendingCount " + e.num("pendingCount") + " got " + got);
        }
      }
    }

    static void eq(Obj e, String k, String got, String what) {
      if (e.has(k) && !e.str(k).equals(got)) {
        throw new Mismatch("expected " + what.replaceFirst(" \\(.*", "") + " " + e.str(k)
            + " got " + got + (what.contains(" (") ? what.substring(what.indexOf(" (")) : ""));
      }
    }

    static void boolEq(Obj e, String k, boolean got) {
      if (e.has(k) && e.bool(k) != got) {
        throw new Mismatch("expected " + k + " " + e.bool(k) + " got " + got);
      }
    }

    static void setEq(Obj e, String k, List<String> got, String what) {
      if (e.has(k)) {
        TreeSet<String> w = new TreeSet<>(e.strings(k));
        TreeSet<String> g = new TreeSet<>(got);
        if (!w.equals(g)) {
          throw new Mismatch("expected " + what + " " + w + " got " + g);
        }
      }
    }

    /** Fields that cannot hold for the actual outcome are a mismatch too (the vector expected another outcome). */
    static void absent(Obj e, String actualOutcome, String... keys) {
      for (String k : keys) {
        if (e.has(k)) {
          throw new Mismatch("expected a \"" + k + "\", but the outcome was " + actualOutcome);
        }
      }
    }

    void bindOrCheck(String expected, String actual, String what) {
      if (!expected.startsWith("$")) {
        if (!expected.equals(actual)) {
          throw new Mismatch("expected " + what + " " + expected + " got " + actual);
        }
        return;
      }
      String bound = vars.get(expected);
      if (bound == null) {
        for (Map.Entry<String, String> v : vars.entrySet()) {
          if (v.getValue().equals(actual)) {
            throw new Mismatch("expected " + what + " " + expected + " (a new value) got "
                + actual + ", which is already " + v.getKey());
          }
        }
        vars.put(expected, actual);
      } else if (!bound.equals(actual)) {
        String other = vars.entrySet().stream().filter(v -> v.getValue().equals(actual))
            .map(Map.Entry::getKey).findFirst().orElse("a new id");
        throw new Mismatch("expected " + what + " " + expected + " (" + bound + ") got " + actual
            + " (" + other + ")");
      }
    }
  }
}
