package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.AuthMethod;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.VirtualClock;
import io.pairgate.client.DeviceIdentity;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.json.JsonPairingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every doctor check: one test plants the problem, one shows the healthy verdict. */
class DoctorCommandTest {
  static final String SECRET = "A".repeat(43);
  @TempDir Path tmp;
  VirtualClock clock;
  TestGateway gw;
  CliRunner cli;
  Path store;

  @BeforeEach
  void setUp() {
    clock = VirtualClock.at(TestGateway.START);
    store = tmp.resolve("store");
    gw = new TestGateway(store, clock);
    cli = new CliRunner(store, clock);
  }

  DeviceIdentity paired(int n, String... scopes) {
    DeviceIdentity d = TestGateway.device(n, clock);
    String id = gw.pairingRequired(d, scopes);
    assertEquals(0, cli.run("devices", "approve", id).code());
    return d;
  }

  /** Writes a hand-made paired record (what a hand-edited or imported store may hold). */
  void plant(DeviceIdentity d, List<Role> roles, ScopeSet baseline, Map<Role, ScopeSet> tokens) {
    Instant now = clock.instant();
    Map<Role, DeviceToken> ts = new HashMap<>();
    tokens.forEach((r, s) -> ts.put(r, new DeviceToken(r, s, io.pairgate.TokenHash.of(SECRET), now, null, null, null)));
    PairedDevice p = new PairedDevice(d.deviceId(), d.publicKey(), roles, baseline,
        TestGateway.CLIENT, "", ts, now, now, null, "import", "");
    try (JsonPairingStore s = JsonPairingStore.open(store)) {
      long v = s.load(d.deviceId()).map(DeviceRecord::version).orElse(0L);
      assertTrue(s.compareAndSet(v, new DeviceRecord(d.deviceId(), v + 1, p, null, false, List.of())));
    }
  }

  static void has(CliRunner.Result r, String... lines) {
    for (String l : lines) {
      assertTrue(r.out().contains(l), "missing \"" + l + "\" in\n" + r);
    }
  }

  Map<String, String> snapshot() throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(store.resolve("devices"))) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    return out;
  }

  @Test
  void healthyStoreIsHealthy() {
    paired(1, "operator.read");
    CliRunner.Result r = cli.run("doctor");
    assertEquals(0, r.code(), r.toString());
    has(r, "[ok]   store: 1 device record(s), every one parses", "[ok]   tokens:", "[ok]   roles:",
        "[ok]   requests:", "[skip] config", "Healthy.");
    // one verdict line and one advice line per check
    long verdicts = r.out().lines().filter(l -> l.startsWith("[ok]") || l.startsWith("[FAIL]")).count();
    long advice = r.out().lines().filter(l -> l.strip().startsWith("advice: ")).count();
    assertEquals(verdicts, advice);
  }

  @Test
  void storeDirectoryWritableByOthersIsNamed_andNothingIsWritten() throws Exception {
    if (!store.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      System.out.println("SKIP store permissions verdict: not a POSIX file system");
      return;
    }
    paired(1, "operator.read");
    Files.setPosixFilePermissions(store, java.nio.file.attribute.PosixFilePermissions.fromString(
        "rwxrwxrwx"));
    Map<String, String> before = snapshot();
    CliRunner.Result r = cli.run("doctor");
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] store permissions: " + store.toAbsolutePath().normalize(),
        "writable by others", "chmod 700", "[skip] tokens");
    assertEquals(before, snapshot());
    assertEquals("rwxrwxrwx", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(store)), "doctor does not change modes by itself");
  }

  @Test
  void unreadableStoreFileIsNamed() throws Exception {
    DeviceIdentity d = paired(1, "operator.read");
    Path file;
    try (Stream<Path> s = Files.walk(store.resolve("devices"))) {
      file = s.filter(p -> p.getFileName().toString().equals(d.deviceId() + ".json")).findFirst().orElseThrow();
    }
    Files.writeString(file, "{\"format\": \"pairgate-device\", ");
    CliRunner.Result r = cli.run("doctor");
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] store: " + file, "truncated", "pairgate store quarantine", "[skip] tokens");
  }

  @Test
  void tokenBeyondBaselineIsNarrowedByFix() {
    DeviceIdentity d = TestGateway.device(3, clock);
    plant(d, List.of(Role.OPERATOR), ScopeSet.of("operator.read"),
        Map.of(Role.OPERATOR, ScopeSet.of("operator.read", "operator.admin")));
    CliRunner.Result r = cli.run("doctor");
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] tokens: 1 token(s) exceed the baseline", "operator.admin,operator.read",
        "doctor --fix");
    // fail closed until fixed
    assertInstanceOf(ConnectResult.Rejected.class, gw.connect(d, Role.OPERATOR,
        AuthMethod.DEVICE_TOKEN, SECRET, List.of("operator.read")));

    CliRunner.Result f = cli.run("doctor", "--fix");
    assertEquals(0, f.code(), f.toString());
    has(f, "[fixed] tokens:", "changed: device " + d.deviceId()
        + " operator token operator.admin,operator.read -> operator.read");
    assertInstanceOf(ConnectResult.Allowed.class, gw.connect(d, Role.OPERATOR,
        AuthMethod.DEVICE_TOKEN, SECRET, List.of("operator.read")));
    assertEquals(0, cli.run("doctor").code());
  }

  @Test
  void roleWithoutTokenAndTokenWithoutRoleAreExplainedNotFixed() throws Exception {
    DeviceIdentity a = TestGateway.device(4, clock);
    plant(a, List.of(Role.OPERATOR, Role.NODE), ScopeSet.of("operator.read"),
        Map.of(Role.OPERATOR, ScopeSet.of("operator.read")));
    DeviceIdentity b = TestGateway.device(5, clock);
    plant(b, List.of(Role.OPERATOR), ScopeSet.of("operator.read"),
        Map.of(Role.OPERATOR, ScopeSet.of("operator.read"), Role.NODE, ScopeSet.empty()));
    Map<String, String> before = snapshot();
    CliRunner.Result r = cli.run("doctor", "--fix");
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] roles:", "is approved for node but holds no node token",
        "has a node token but role node is not approved", "not changed by --fix");
    assertEquals(before, snapshot(), "--fix leaves what it cannot safely repair alone");
  }

  @Test
  void expiredRequestsAndStaleRequestIdsArePrunedByFix() {
    DeviceIdentity a = paired(1, "operator.read");          // leaves an 'approved' request id
    DeviceIdentity b = TestGateway.device(2, clock);
    String pending = gw.pairingRequired(b, "operator.read");
    clock.advance(Duration.ofMinutes(10));
    CliRunner.Result r = cli.run("doctor");
    assertEquals(0, r.code(), "housekeeping is a note, not a problem (issue 17 item 7)\n" + r);
    has(r, "[note] requests: 1 expired pending request(s): " + pending);

    clock.advance(Duration.ofDays(2));
    r = cli.run("doctor");
    has(r, "stale remembered request ids: 1 on device " + a.deviceId().value().substring(0, 12));

    CliRunner.Result f = cli.run("doctor", "--fix");
    assertEquals(0, f.code(), f.toString());
    has(f, "[fixed] requests:", "removed expired request " + pending,
        "forgot 1 remembered request id(s)");
    CliRunner.Result again = cli.run("doctor");
    assertEquals(0, again.code(), again.toString());
    has(again, "[ok]   requests:");
  }

  @Test
  void fixChangesNothingItDidNotReport() throws Exception {
    DeviceIdentity healthy = paired(1, "operator.read");
    DeviceIdentity wide = TestGateway.device(6, clock);
    plant(wide, List.of(Role.OPERATOR), ScopeSet.of("operator.read"),
        Map.of(Role.OPERATOR, ScopeSet.of("operator.write")));
    DeviceIdentity gap = TestGateway.device(7, clock);
    plant(gap, List.of(Role.OPERATOR, Role.NODE), ScopeSet.of("operator.read"),
        Map.of(Role.OPERATOR, ScopeSet.of("operator.read")));
    DeviceIdentity waiting = TestGateway.device(8, clock);
    gw.pairingRequired(waiting, "operator.read");
    clock.advance(Duration.ofMinutes(6));
    gw.allowed(healthy, "operator.read"); // a fresh connect; nothing to fix there

    Map<String, String> before = snapshot();
    CliRunner.Result f = cli.run("doctor", "--fix");
    Map<String, String> after = snapshot();
    Set<String> changedFiles = new TreeSet<>();
    for (String k : before.keySet()) {
      if (!before.get(k).equals(after.get(k))) {
        changedFiles.add(k.replace(".json", ""));
      }
    }
    Set<String> reported = new TreeSet<>();
    Matcher m = Pattern.compile("changed: device ([0-9a-f]{64})").matcher(f.out());
    while (m.find()) {
      reported.add(m.group(1));
    }
    assertEquals(Set.of(wide.deviceId().value(), waiting.deviceId().value()), reported, f.toString());
    assertEquals(reported, changedFiles, "exactly the reported devices changed");
    assertEquals(before.keySet(), after.keySet());
    assertEquals(1, f.code(), "the role gap remains");
  }

  @Test
  void trustedProxyChecks() throws Exception {
    paired(1, "operator.read");
    Path good = tmp.resolve("good.properties");
    Files.writeString(good, "trustedProxies = 127.0.0.1, 10.1.0.0/16\npairingRequired = true\n");
    CliRunner.Result ok = cli.run("doctor", "--config", good.toString());
    assertEquals(0, ok.code(), ok.toString());
    has(ok, "[ok]   trusted proxies: 2 entries, well-formed, disjoint and private", "[ok]   pairing: required");

    Path bad = tmp.resolve("bad.properties");
    Files.writeString(bad, "trustedProxies = 10.0.0.0/8, 10.1.2.3, proxy.local, 0.0.0.0/0\n"
        + "trustedProxy = 127.0.0.1\n");
    CliRunner.Result r = cli.run("doctor", "--config", bad.toString());
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] trusted proxies:", "\"10.1.2.3\" overlaps \"10.0.0.0/8\"", "\"proxy.local\" is malformed",
        "\"0.0.0.0/0\" includes public addresses", "[FAIL] config:", "unknown key(s) trustedProxy");
  }

  @Test
  void pairingSwitchedOffIsReported() throws Exception {
    Path off = tmp.resolve("off.properties");
    Files.writeString(off, "pairingRequired = false\n");
    paired(1, "operator.read");
    CliRunner.Result r = cli.run("doctor", "--config", off.toString());
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] pairing: SWITCHED OFF", "trusted private networks", "pairingRequired = true");
  }

  @Test
  void identityFiles() throws Exception {
    DeviceIdentity d = paired(1, "operator.read");
    Path good = tmp.resolve("id/good.json");
    d.save(good);
    CliRunner.Result ok = cli.run("doctor", "--identity", good.toString());
    assertEquals(0, ok.code(), ok.toString());
    has(ok, "[ok]   identity: " + good + " is device " + d.deviceId() + "; paired with roles operator");

    Path bad = tmp.resolve("id/bad.json");
    Files.writeString(bad, Files.readString(good).replace("\"deviceId\": \"", "\"deviceId\": \"0"));
    byte[] before = Files.readAllBytes(bad);
    CliRunner.Result r = cli.run("doctor", "--identity", bad.toString(), "--fix");
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] identity: " + bad, "restore the file from a backup");
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(bad)), "identity file untouched");
  }

  @Test
  void missingStoreIsAProblem() {
    CliRunner.Result r = new CliRunner(tmp.resolve("nowhere"), clock).run("doctor");
    assertEquals(1, r.code(), r.toString());
    has(r, "[FAIL] store: no store at");
  }
}
