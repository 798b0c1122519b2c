package io.pairgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.gateway.internal.Wire;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.json.JsonPairingStore;
import io.pairgate.testkit.openclaw.OpenClawCli;
import io.pairgate.testkit.openclaw.OpenClawInstall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The stock OpenClaw CLI, installed from the npm registry, against {@code pairgate gateway}: the
 * 2026.6.10 CLI is a client that pairs (it always signs with a device key); the 2026.9.6 CLI is
 * the operator (given the shared token it sends no device block: a device-less shared-token
 * operator, see docs/gateway.md). Each CLI has its own HOME and OPENCLAW_STATE_DIR. After every
 * command the store itself is checked.
 *
 * <p>{@code PAIRGATE_SKIP_REAL_CLIENT=1} skips this test (and says so); an unreachable npm registry
 * fails it with one line saying so.
 */
class RealOpenClawCliTest {
  static final String TOKEN = "tok-shared-0123456789abcdef";
  private static final Pattern REQUEST_ID =
      Pattern.compile("\\(requestId: ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\)");

  @TempDir static Path work;
  static OpenClawInstall client610;
  static OpenClawInstall operator96;
  static GatewayProcess gateway;
  static Path storeDir;

  @BeforeAll
  static void installAndStart() throws Exception {
    if ("1".equals(System.getenv("PAIRGATE_SKIP_REAL_CLIENT"))) {
      System.out.println("[real OpenClaw CLI] SKIPPED: PAIRGATE_SKIP_REAL_CLIENT=1");
      Assumptions.abort("PAIRGATE_SKIP_REAL_CLIENT=1: the real OpenClaw CLI tests are skipped");
    }
    try {
      client610 = OpenClawInstall.ensure(OpenClawInstall.OPENCLAW_2026_6);
      operator96 = OpenClawInstall.ensure(OpenClawInstall.OPENCLAW_2026_9);
    } catch (OpenClawInstall.InstallException e) {
      fail(e.getMessage()); // one line; says "npm registry unreachable" when it is
    }
    System.out.println("[real OpenClaw CLI] client: " + client610.versions() + "; operator: "
        + operator96.versions() + " (cache " + OpenClawInstall.cacheRoot() + ")");
    storeDir = work.resolve("store");
    Path tokenFile = work.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
    gateway = GatewayProcess.start(work, "--port", "0", "--store", storeDir.toString(),
        "--token-file", tokenFile.toString(), "--no-auto-approve-local");
    System.out.println("[real OpenClaw CLI] pairgate gateway (GatewayMain, child JVM) at "
        + gateway.url);
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.stop();
    }
  }

  private static OpenClawCli.Result run(OpenClawCli cli, String... args) {
    List<String> a = new ArrayList<>(List.of(args));
    a.addAll(List.of("--url", gateway.url, "--token", TOKEN, "--timeout", "60000"));
    String[] argv = a.toArray(new String[0]);
    long t0 = System.nanoTime();
    OpenClawCli.Result r = cli.timeout(java.time.Duration.ofSeconds(120)).run(argv);
    System.out.println("[real OpenClaw CLI] openclaw@" + cli.install().versions().openclaw()
        + " " + cli.home().getFileName() + ": " + OpenClawCli.redact(argv) + " -> exit "
        + r.exitCode() + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
    return r;
  }

  private static String requestIdIn(OpenClawCli.Result r) {
    Matcher m = REQUEST_ID.matcher(r.stdout() + "\n" + r.stderr());
    assertTrue(m.find(), "no request id printed:\n" + r.describe());
    return m.group(1);
  }

  /** A fresh read of the gateway's store (store-json is safe to open from a second process). */
  private static Optional<DeviceRecord> record(String deviceId) {
    try (JsonPairingStore s = JsonPairingStore.open(storeDir)) {
      return s.load(DeviceId.parse(deviceId));
    }
  }

  private static String deviceIdOf(OpenClawCli cli) throws Exception {
    JsonNode d = Wire.JSON.readTree(Files.readString(cli.deviceFile()));
    return d.path("deviceId").asString();
  }

  private static JsonNode json(OpenClawCli.Result r) {
    String out = r.stdout();
    int i = out.indexOf('{');
    assertTrue(i >= 0, "no JSON on stdout:\n" + r.describe());
    return Wire.JSON.readTree(out.substring(i));
  }

  private static void assertExit(int code, OpenClawCli.Result r) {
    assertEquals(code, r.exitCode(), r.describe());
  }

  @Test
  void theStockCliPairsRotatesRevokesAndUpgradesThroughPairgate() throws Exception {
    OpenClawCli alice = new OpenClawCli(client610, work.resolve("alice-2026.6.10"));
    OpenClawCli bob = new OpenClawCli(client610, work.resolve("bob-2026.6.10"));
    OpenClawCli op = new OpenClawCli(operator96, work.resolve("operator-2026.9.6"));

    // a new client: NOT_PAIRED, exit 1, the request id printed
    OpenClawCli.Result r = run(alice, "devices", "list", "--json");
    assertExit(1, r);
    String rid1 = requestIdIn(r);
    String aliceId = deviceIdOf(alice);
    PendingRequest p1 = record(aliceId).orElseThrow().pending();
    assertNotNull(p1);
    assertEquals(rid1, p1.requestId().value());

    // the operator lists it with its role and scopes
    r = run(op, "devices", "list", "--json");
    assertExit(0, r);
    assertFalse(Files.exists(op.deviceFile()), "the 2026.9.6 CLI sent no device identity");
    JsonNode pending = null;
    for (JsonNode n : json(r).path("pending")) {
      if (rid1.equals(n.path("requestId").asString())) {
        pending = n;
      }
    }
    assertNotNull(pending, r.describe());
    assertEquals("operator", pending.path("role").asString());
    assertEquals(List.of("operator.pairing"),
        Wire.JSON.convertValue(pending.path("scopes"), List.class));
    assertEquals(aliceId, pending.path("deviceId").asString());

    // approve: exit 0, the store has the device
    r = run(op, "devices", "approve", rid1, "--json");
    assertExit(0, r);
    PairedDevice alicePaired = record(aliceId).orElseThrow().paired();
    assertNotNull(alicePaired);
    assertNull(record(aliceId).orElseThrow().pending());
    assertTrue(alicePaired.approvedScopes().contains(Scope.OPERATOR_PAIRING));

    // the client's next command succeeds and it stores its device token
    r = run(alice, "devices", "list", "--json");
    assertExit(0, r);
    JsonNode auth = Wire.JSON.readTree(Files.readString(alice.deviceAuthFile()));
    String stored = auth.path("tokens").path("operator").path("token").asString();
    assertEquals(43, stored.length(), auth.toString());
    DeviceToken t0 = record(aliceId).orElseThrow().paired().token(Role.OPERATOR);
    assertTrue(t0.matches(stored), "the CLI stored the store's token");

    // reject
    r = run(bob, "devices", "list", "--json");
    assertExit(1, r);
    String rid2 = requestIdIn(r);
    String bobId = deviceIdOf(bob);
    r = run(op, "devices", "reject", rid2, "--json");
    assertExit(0, r);
    Optional<DeviceRecord> bobRec = record(bobId);
    assertTrue(bobRec.isEmpty() || (bobRec.get().pending() == null
        && bobRec.get().paired() == null), "rejected: nothing pending, nothing paired");

    // rotate (scopes within the baseline)
    r = run(op, "devices", "rotate", "--device", aliceId, "--role", "operator", "--scope",
        "operator.pairing");
    assertExit(0, r);
    DeviceToken t1 = record(aliceId).orElseThrow().paired().token(Role.OPERATOR);
    assertNotNull(t1.rotatedAt());
    assertFalse(t1.matches(stored), "a new secret");
    assertFalse(t1.hash().equals(t0.hash()), "a new secret");
    // the rotated secret goes to no one but its device: the operator's reply holds none
    assertFalse(r.stdout().matches("(?s).*\\b[A-Za-z0-9_-]{43}\\b.*"), "no secret in the reply");

    // revoke
    r = run(op, "devices", "revoke", "--device", aliceId, "--role", "operator");
    assertExit(0, r);
    assertTrue(record(aliceId).orElseThrow().paired().token(Role.OPERATOR).isRevoked());

    // the revoked client must be approved again; approve --latest only previews (exit 1)
    r = run(alice, "devices", "list", "--json");
    assertExit(1, r);
    String rid3 = requestIdIn(r);
    r = run(op, "devices", "approve", "--latest", "--json");
    assertExit(1, r);
    assertTrue((r.stdout() + r.stderr()).contains(rid3), r.describe());
    assertEquals(rid3, record(aliceId).orElseThrow().pending().requestId().value(), "still pending");
    assertTrue(record(aliceId).orElseThrow().paired().token(Role.OPERATOR).isRevoked());
    r = run(op, "devices", "approve", rid3, "--json");
    assertExit(0, r);
    assertFalse(record(aliceId).orElseThrow().paired().token(Role.OPERATOR).isRevoked());
    r = run(alice, "devices", "list", "--json");
    assertExit(0, r);

    // scope upgrade: same request id until approved, then it converges
    r = run(alice, "gateway", "call", "health", "--json");
    assertExit(1, r);
    String rid4 = requestIdIn(r);
    PendingRequest up = record(aliceId).orElseThrow().pending();
    assertEquals(rid4, up.requestId().value());
    assertEquals("scope-upgrade", up.reason().wireName());
    r = run(alice, "gateway", "call", "health", "--json");
    assertExit(1, r);
    assertEquals(rid4, requestIdIn(r), "the same request id while nothing changed");
    r = run(op, "devices", "approve", rid4, "--json");
    assertExit(0, r);
    assertTrue(record(aliceId).orElseThrow().paired().approvedScopes()
        .contains(Scope.OPERATOR_READ));
    r = run(alice, "gateway", "call", "health", "--json");
    assertExit(0, r);
    assertNull(record(aliceId).orElseThrow().pending(), "converged: nothing pending");

    // remove
    r = run(op, "devices", "remove", aliceId, "--json");
    assertExit(0, r);
    Optional<DeviceRecord> gone = record(aliceId);
    assertTrue(gone.isEmpty() || gone.get().paired() == null, "removed");
    assertNotEquals(0, run(alice, "devices", "list", "--json").exitCode(),
        "a removed client must pair again");
  }
}
