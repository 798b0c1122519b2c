package io.pairgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceId;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.VirtualClock;
import io.pairgate.client.DeviceIdentity;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.store.json.JsonPairingStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;

/**
 * Issue 17 (the operator's path) and issue 14 item 9 (terminal safety): each test names its item
 * and failed on the code before the fix.
 */
class OperatorPathTest {
  @TempDir Path tmp;
  VirtualClock clock;
  TestGateway gw;
  CliRunner cli;
  DeviceIdentity laptop;
  DeviceIdentity phone;

  @BeforeEach
  void setUp() {
    clock = VirtualClock.at(TestGateway.START);
    gw = new TestGateway(tmp.resolve("store"), clock);
    cli = new CliRunner(tmp.resolve("store"), clock);
    laptop = TestGateway.device(1, clock);
    phone = TestGateway.device(2, clock);
  }

  /** Every command path of the tool, e.g. [devices, approve]. */
  static List<List<String>> commandPaths() {
    StringWriter sink = new StringWriter();
    Cli c = new Cli(new PrintWriter(sink), new PrintWriter(sink), Map.of(), VirtualClock.at(TestGateway.START));
    List<List<String>> out = new ArrayList<>();
    walk(Main.commandLine(c), new ArrayList<>(), out);
    return out;
  }

  private static void walk(CommandLine c, List<String> path, List<List<String>> out) {
    for (Map.Entry<String, CommandLine> e : c.getSubcommands().entrySet()) {
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      out.add(p);
      walk(e.getValue(), p, out);
    }
  }

  /** Item 1: every command and subcommand answers --help and help with exit 0. */
  @Test
  void helpOnEveryCommandAndSubcommand() {
    List<List<String>> paths = commandPaths();
    assertTrue(paths.contains(List.of("devices", "approve")), paths.toString());
    for (List<String> p : paths) {
      List<String> args = new ArrayList<>(p);
      args.add("--help");
      CliRunner.Result r = cli.runRaw(args.toArray(new String[0]));
      assertEquals(0, r.code(), args + "\n" + r);
      assertTrue(r.out().contains("Usage: pairgate " + String.join(" ", p)), args + "\n" + r);
      if (p.get(p.size() - 1).equals("help")) {
        continue;
      }
      List<String> help = new ArrayList<>();
      help.add("help");
      help.addAll(p);
      r = cli.runRaw(help.toArray(new String[0]));
      assertEquals(0, r.code(), help + "\n" + r);
      assertTrue(r.out().contains("Usage: pairgate " + String.join(" ", p)), help + "\n" + r);
    }
    CliRunner.Result r = cli.runRaw("devices", "help", "approve");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Usage: pairgate devices approve"), r.toString());
    ErrorPathsTest.oneLineError(cli.runRaw("help", "devices", "nonsense"), 2, "no command");
  }

  /** Item 2: an unsupported URL names the supported ones (usage error). */
  @Test
  void unsupportedJdbcUrlNamesTheSupportedOnes() {
    ErrorPathsTest.oneLineError(cli.runRaw("--jdbc", "jdbc:oracle:thin:@x", "devices", "list"), 2,
        "unsupported database URL", "jdbc:sqlite:", "jdbc:postgresql:", "jdbc:mariadb:",
        "jdbc:h2:");
  }

  /**
   * Items 2 and 4: the PostgreSQL driver is on the tool's runtime class path (the distribution
   * copies it to lib/), a read-only command on an empty database creates nothing and says "no
   * Pairgate store", and a simulated store is then listed.
   */
  @Test
  void postgresqlFromTheCliAndReadOnlyCreatesNothing() throws Exception {
    String schema = "cli_" + Long.toHexString(System.nanoTime());
    String base = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(base);
        java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    try {
      String url = base + "&currentSchema=" + schema;
      ErrorPathsTest.oneLineError(cli.runRaw("--jdbc", url, "devices", "list"), 1,
          "no Pairgate store at", "no pairing tables");
      assertEquals(0, tables(base, schema), "a read-only command created tables");
      CliRunner.Result sim = cli.runRaw("--jdbc", url, "simulate", "--devices", "2", "--steps",
          "10");
      assertEquals(0, sim.code(), sim.toString());
      JsonNode list = cli.runRaw("--jdbc", url, "devices", "list", "--json").json();
      assertEquals(2, list.get("paired").size(), list.toString());
    } finally {
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(base);
          java.sql.Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private static int tables(String url, String schema) throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        java.sql.ResultSet rs = c.getMetaData().getTables(null, schema, "%", null)) {
      int n = 0;
      while (rs.next()) {
        n++;
      }
      return n;
    }
  }

  /** Item 4: read-only commands on a missing store create nothing. */
  @Test
  void readOnlyCommandsNeverCreateAStore() {
    Path missing = tmp.resolve("missing");
    for (String[] args : new String[][] {{"devices", "list"}, {"devices", "explain", "abcdef"},
        {"store", "export-openclaw", tmp.resolve("oc").toString()}}) {
      List<String> a = new ArrayList<>(List.of("--store", missing.toString()));
      a.addAll(List.of(args));
      ErrorPathsTest.oneLineError(cli.runRaw(a.toArray(new String[0])), 1,
          "no Pairgate store at " + missing);
      assertFalse(Files.exists(missing), String.join(" ", args) + " created " + missing);
    }
    Path db = tmp.resolve("none.db");
    ErrorPathsTest.oneLineError(cli.runRaw("--jdbc", "jdbc:sqlite:" + db, "devices", "list"), 1,
        "no Pairgate store at jdbc:sqlite:" + db);
    assertFalse(Files.exists(db));
    assertFalse(Files.exists(tmp.resolve("oc")), "export created its target before failing");
  }

  /** Item 8: --store together with --jdbc is a usage error, exit 2. */
  @Test
  void storeAndJdbcTogetherIsAUsageError() {
    gw.pairingRequired(laptop, "operator.read");
    ErrorPathsTest.oneLineError(cli.run("--jdbc", "jdbc:sqlite:" + tmp.resolve("x.db"),
        "devices", "list"), 2, "choose one store");
    ErrorPathsTest.oneLineError(cli.run("--jdbc", "jdbc:sqlite:" + tmp.resolve("x.db"),
        "doctor"), 2, "choose one store");
  }

  private Path deviceFile(DeviceIdentity d) {
    String id = d.deviceId().value();
    return tmp.resolve("store/devices").resolve(id.substring(0, 2)).resolve(id + ".json");
  }

  /**
   * Item 5: one unparsable device file does not hide the rest; listing names it with the command
   * that quarantines it; write commands under --read-only are refused; listing writes nothing.
   */
  @Test
  void oneBadRecordDoesNotTakeTheFleetHostage() throws Exception {
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    gw.pairingRequired(phone, "operator.read");
    Files.writeString(deviceFile(phone), "{\"format\":");
    Map<String, String> before = snapshot(tmp.resolve("store"));

    CliRunner.Result list = cli.run("devices", "list");
    assertEquals(1, list.code(), list.toString());
    assertTrue(list.out().contains(laptop.deviceId().value().substring(0, 12)), list.out());
    assertTrue(list.out().contains("Unreadable records (1)"), list.out());
    assertTrue(list.out().contains("store quarantine " + phone.deviceId().value()), list.out());
    JsonNode json = cli.run("devices", "list", "--json").json();
    assertEquals(1, json.get("paired").size());
    assertEquals(phone.deviceId().value(), json.get("unreadable").get(0).get("deviceId").asString());

    CliRunner.Result explain = cli.run("devices", "explain", laptop.deviceId().value());
    assertEquals(0, explain.code(), explain.toString());
    ErrorPathsTest.oneLineError(cli.run("devices", "explain",
        phone.deviceId().value().substring(0, 8)), 1, "[store-corrupt]",
        "store quarantine " + phone.deviceId().value());
    assertEquals(before, snapshot(tmp.resolve("store")), "a read-only command wrote to the store");

    ErrorPathsTest.oneLineError(cli.run("--read-only", "devices", "block",
        laptop.deviceId().value()), 2, "cannot run with --read-only");
    CliRunner.Result ro = cli.run("--read-only", "devices", "list");
    assertEquals(1, ro.code(), ro.toString());
    assertEquals(before, snapshot(tmp.resolve("store")));
  }

  /**
   * Item 5: a store directory without write permission can be listed (needs a non-root user;
   * as root the snapshot check above shows that listing writes nothing at all).
   */
  @Test
  void listsAStoreDirectoryWithoutWritePermission() throws Exception {
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    Path store = tmp.resolve("store");
    Files.deleteIfExists(store.resolve(".lock"));
    List<Path> dirs;
    try (Stream<Path> s = Files.walk(store)) {
      dirs = s.filter(Files::isDirectory).toList();
    }
    for (Path d : dirs) {
      Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString(
          "r-x------"));
    }
    try {
      if ("root".equals(System.getProperty("user.name"))) {
        System.out.println("OperatorPathTest: running as root, which may write anywhere; the"
            + " permission is set but only the no-write snapshot check proves the behaviour");
      }
      CliRunner.Result r = cli.run("devices", "list");
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().contains("Paired devices (1)"), r.out());
      assertFalse(Files.exists(store.resolve(".lock")), "listing created the lock file");
    } finally {
      for (Path d : dirs) {
        Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString(
            "rwx------"));
      }
    }
  }

  /** Every file under {@code dir} with its size and modification time. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir"
            : Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return out;
  }

  /** Items 6 and 12: stray files are notes; no doubled "truncated: truncated:" prefix. */
  @Test
  void strayFilesAreNotesAndPrefixesAreNotDoubled() throws Exception {
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    Path store = tmp.resolve("store");
    String shard = laptop.deviceId().value().substring(0, 2);
    Files.writeString(store.resolve("devices").resolve(shard).resolve("notes.txt~"), "x");
    Files.writeString(store.resolve("devices/.DS_Store"), "x");
    CliRunner.Result check = cli.run("store", "check");
    assertEquals(0, check.code(), check.toString());
    assertTrue(check.out().contains("note: "), check.out());
    CliRunner.Result doctor = cli.run("doctor");
    assertEquals(0, doctor.code(), doctor.toString());
    assertTrue(doctor.out().contains("[note] store:"), doctor.out());
    assertTrue(doctor.out().contains("Healthy"), doctor.out());

    gw.pairingRequired(phone, "operator.read");
    Files.writeString(deviceFile(phone), "{\"format\":");
    check = cli.run("store", "check");
    assertEquals(1, check.code(), check.toString());
    assertTrue(check.out().contains(": truncated: "), check.out());
    assertFalse(check.out().contains("truncated: truncated:"), check.out());
    assertFalse(check.out().contains("unexpected-file: unexpected file"), check.out());
  }

  /** Item 3: relative --store, prefix ids, and advice that fits the file. */
  @Test
  void quarantineTakesRelativeStoresAndPrefixes() throws Exception {
    gw.pairingRequired(phone, "operator.read");
    Files.writeString(deviceFile(phone), "{\"format\":");
    Path rel = Path.of("").toAbsolutePath().relativize(tmp.resolve("store"));
    CliRunner.Result q = cli.runRaw("--store", rel.toString(), "store", "quarantine",
        phone.deviceId().value().substring(0, 8));
    assertEquals(0, q.code(), q.toString());
    assertFalse(Files.exists(deviceFile(phone)));
    assertTrue(q.out().contains("must pair again"), q.out());

    // a device file in the wrong directory (an older layout): the advice is to move it back
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    Path misplaced = tmp.resolve("store/devices/00").resolve(laptop.deviceId().value() + ".json");
    Files.createDirectories(misplaced.getParent());
    Files.move(deviceFile(laptop), misplaced);
    q = cli.runRaw("--store", rel.toString(), "store", "quarantine", misplaced.toString());
    assertEquals(0, q.code(), q.toString());
    assertTrue(q.out().contains("wrong directory"), q.out());
    assertTrue(q.out().contains(deviceFile(laptop).toString()), q.out());

    // a store written by a newer version: quarantining is refused
    Files.writeString(tmp.resolve("store/store.json"),
        "{\"format\":\"pairgate-json-store\",\"formatVersion\":99,\"createdAtMs\":0}");
    ErrorPathsTest.oneLineError(cli.run("store", "quarantine", "abcdef12"), 1, "newer Pairgate");
  }

  /** Item 7: empty tokens map is a problem; housekeeping is a note that --fix prunes. */
  @Test
  void doctorVerdicts() {
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    gw.pairingRequired(phone, "operator.read");
    clock.advance(Duration.ofMinutes(10)); // the phone's request expires
    CliRunner.Result d = cli.run("doctor");
    assertEquals(0, d.code(), d.toString());
    assertTrue(d.out().contains("[note] requests:"), d.out());
    d = cli.run("doctor", "--fix");
    assertEquals(0, d.code(), d.toString());
    assertTrue(d.out().contains("[fixed] requests:"), d.out());
    assertTrue(cli.run("doctor").out().contains("[ok]   requests:"));

    try (JsonPairingStore s = JsonPairingStore.open(tmp.resolve("store"))) {
      DeviceRecord r = s.load(laptop.deviceId()).orElseThrow();
      assertTrue(s.compareAndSet(r.version(), new DeviceRecord(r.deviceId(), r.version() + 1,
          r.paired().withTokens(Map.of()), r.pending(), r.blocked(), r.resolved())));
    }
    d = cli.run("doctor");
    assertEquals(1, d.code(), d.toString());
    assertTrue(d.out().contains("holds no tokens at all"), d.out());
  }

  /** Item 7: simulate starts its virtual clock now by default, so doctor finds it healthy. */
  @Test
  void simulatedStoreIsHealthyUnderDoctor() {
    Path store = tmp.resolve("sim");
    CliRunner c = new CliRunner(store, java.time.Clock.systemUTC());
    CliRunner.Result sim = c.run("simulate", "--devices", "2", "--steps", "20");
    assertEquals(0, sim.code(), sim.toString());
    CliRunner.Result d = c.run("doctor");
    assertEquals(0, d.code(), d.toString());
    assertTrue(d.out().contains("[ok]   requests:"), d.out());
    CliRunner.Result pinned = new CliRunner(tmp.resolve("sim2"), java.time.Clock.systemUTC())
        .run("simulate", "--devices", "1", "--steps", "5", "--start", "2023-11-14T22:13:20Z");
    assertEquals(0, pinned.code(), pinned.toString());
  }

  /** Item 9: export refuses to overwrite without --force; a failed import creates nothing. */
  @Test
  void exportRefusesToOverwriteAndFailedImportCreatesNothing() throws Exception {
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    Path oc = tmp.resolve("openclaw");
    Files.createDirectories(oc.resolve("devices"));
    Files.writeString(oc.resolve("devices/paired.json"), "{\"keep\": true}");
    ErrorPathsTest.oneLineError(cli.run("store", "export-openclaw", oc.toString()), 1,
        "exists; nothing was written", "--force");
    assertEquals("{\"keep\": true}", Files.readString(oc.resolve("devices/paired.json")));
    CliRunner.Result forced = cli.run("store", "export-openclaw", "--force", oc.toString());
    assertEquals(0, forced.code(), forced.toString());

    Path bad = tmp.resolve("bad/devices");
    Files.createDirectories(bad);
    Files.writeString(bad.resolve("paired.json"), "{\"x\":");
    Path fresh = tmp.resolve("fresh");
    ErrorPathsTest.oneLineError(cli.runRaw("--store", fresh.toString(), "store",
        "import-openclaw", bad.toString()), 1, "nothing was imported");
    assertFalse(Files.exists(fresh), "a failed import left a store behind");

    // unknown fields are named
    String paired = Files.readString(oc.resolve("devices/paired.json"));
    Files.writeString(oc.resolve("devices/paired.json"),
        paired.replaceFirst("\"deviceId\"", "\"shoeSize\": 44, \"deviceId\""));
    CliRunner.Result imp = cli.runRaw("--store", tmp.resolve("imported").toString(), "store",
        "import-openclaw", oc.toString());
    assertEquals(0, imp.code(), imp.toString());
    assertTrue(imp.out().contains("dropped unknown field \"shoeSize\""), imp.toString());
  }

  /** Item 11: a revoked role gets one verdict, not "approved" and "revoked". */
  @Test
  void explainGivesOneVerdictPerRole() {
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    gw.allowed(laptop, "operator.read");
    cli.run("devices", "revoke", "--device", laptop.deviceId().value(), "--role", "operator");
    CliRunner.Result e = cli.run("devices", "explain", laptop.deviceId().value());
    assertEquals(0, e.code(), e.toString());
    assertTrue(e.out().contains("role      operator: REVOKED"), e.out());
    assertFalse(e.out().contains("approved  roles operator"), e.out());
    assertFalse(e.out().contains("effective operator"), e.out());
  }

  /** Item 12: an empty scope in a comma list is rejected with its position. */
  @Test
  void emptyScopeIsRejectedWithItsPosition() {
    String req = gw.pairingRequired(laptop, "operator.read", "operator.write");
    ErrorPathsTest.oneLineError(cli.run("devices", "approve", req, "--as-scopes",
        "operator.read,,operator.write"), 2, "empty scope at position 2");
    assertEquals(1, cli.run("devices", "list", "--json").json().get("pending").size(),
        "nothing was approved");
  }

  /**
   * Issue 14 item 9: device-controlled strings with escape sequences are made visible in human
   * output and escaped in JSON.
   */
  @Test
  void deviceControlledStringsAreTerminalSafe() throws Exception {
    String evilName = "Ada\u001b]0;owned\u0007\u001b[2J";
    String evilPlatform = "linux\u001b[31mRED\u202e";
    String req = gw.pairingRequired(laptop, "operator.read");
    cli.run("devices", "approve", req);
    gw.pairingRequired(phone, "operator.read");
    try (JsonPairingStore s = JsonPairingStore.open(tmp.resolve("store"))) {
      DeviceRecord r = s.load(laptop.deviceId()).orElseThrow();
      PairedDevice p = r.paired();
      assertTrue(s.compareAndSet(r.version(), new DeviceRecord(r.deviceId(), r.version() + 1,
          p.withClient(p.client().withDisplayName(evilName).withPlatform(evilPlatform)),
          r.pending(), r.blocked(), r.resolved())));
      DeviceRecord q = s.load(phone.deviceId()).orElseThrow();
      PendingRequest o = q.pending();
      PendingRequest evil = new PendingRequest(o.requestId(), o.deviceId(), o.publicKey(),
          o.role(), o.roles(), o.scopes(),
          o.client().withDisplayName(evilName).withPlatform(evilPlatform), o.remoteAddress(),
          o.createdAt(), o.refreshedAt(), o.expiresAt(), o.repair(), o.reason());
      assertTrue(s.compareAndSet(q.version(), new DeviceRecord(q.deviceId(), q.version() + 1,
          q.paired(), evil, q.blocked(), q.resolved())));
    }
    List<CliRunner.Result> human = List.of(
        cli.run("devices", "list"),
        cli.run("devices", "explain", laptop.deviceId().value()),
        cli.run("devices", "explain", phone.deviceId().value()),
        cli.run("devices", "rename", "--device", laptop.deviceId().value(), "--name",
            "x\u001b[8mhidden"),
        cli.run("devices", "approve", "--latest"));
    for (CliRunner.Result r : human) {
      String all = r.out() + r.err();
      assertFalse(all.chars().anyMatch(ch -> ch == 0x1b || ch == 0x07 || ch == 0x202e),
          "a raw control character reached the terminal:\n" + r);
    }
    assertTrue(human.get(0).out().contains("Ada\\x1b]0;owned\\x07\\x1b[2J"), human.get(0).out());
    assertTrue(human.get(1).out().contains("linux\\x1b[31mRED\\u202e"), human.get(1).out());
    assertTrue(human.get(3).out().contains("x\\x1b[8mhidden"), human.get(3).out());
    assertTrue(human.get(4).out().contains("Ada\\x1b]0;owned"), human.get(4).out());

    CliRunner.Result json = cli.run("devices", "list", "--json");
    assertFalse(json.out().chars().anyMatch(ch -> ch == 0x1b || ch == 0x07 || ch == 0x202e),
        json.out());
    assertTrue(json.out().contains("\\u001B") || json.out().contains("\\u001b"), json.out());
    assertTrue(json.out().contains("\\u202e"), json.out());
    JsonNode paired = json.json().get("paired").get(0);
    assertEquals(evilPlatform, paired.get("client").get("platform").asString(),
        "JSON escapes, it does not alter");
  }

  /** Item 10: no literal ellipsis inside a printed command; the demo request outlives 5 min. */
  @Test
  void demoPrintsCopyableCommandsAndItsRequestWaitsForTheReader() {
    Path dir = tmp.resolve("demo");
    CliRunner c = new CliRunner(dir.resolve("store"), clock);
    CliRunner.Result r = c.runRaw("demo", "--dir", dir.toString());
    assertEquals(0, r.code(), r.toString());
    for (String line : r.out().split("\n")) {
      if (line.contains("pairgate ") || line.contains("device id")) {
        assertFalse(line.matches(".*[0-9a-f]{6,}….*"), "an id with a literal ellipsis: " + line);
      }
    }
    clock.advance(Duration.ofHours(1)); // the reader takes their time
    CliRunner.Result approve = c.run("devices", "approve", "--latest");
    assertEquals(0, approve.code(), approve.toString());
    assertTrue(approve.out().contains("Approved."), approve.out());
  }

  /** Item 8: normal use prints no library log on stderr; --verbose shows INFO. */
  @Test
  void noLibraryLogOnStderrUnlessVerbose() throws Exception {
    // the subprocess runs on the system clock
    TestGateway real = new TestGateway(tmp.resolve("store"), java.time.Clock.systemUTC());
    String req = real.pairingRequired(TestGateway.device(3, java.time.Clock.systemUTC()),
        "operator.read");
    Path stray = tmp.resolve("store/devices/x.bak");
    Files.writeString(stray, "x");
    SubprocessResult q = subprocess(List.of(), "--store", tmp.resolve("store").toString(),
        "store", "quarantine", stray.toString());
    assertEquals(0, q.code, q.toString());
    assertFalse(q.err.contains("WARN") || q.err.contains("SLF4J") || q.err.contains("INFO"),
        q.toString());
    SubprocessResult v = subprocess(List.of(), "--store", tmp.resolve("store").toString(),
        "--verbose", "devices", "approve", req);
    assertEquals(0, v.code, v.toString());
    assertTrue(v.err.contains("INFO"), "--verbose shows the library's INFO log:\n" + v);
  }

  /** Item 2: without the driver on the class path, one line says so. */
  @Test
  void missingDriverIsOneLine() throws Exception {
    SubprocessResult r = subprocess(List.of("postgresql"), "--jdbc",
        "jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "devices", "list");
    assertEquals(1, r.code, r.toString());
    assertEquals(1, r.err.strip().lines().count(), r.toString());
    assertTrue(r.err.contains("no JDBC driver for jdbc:postgresql:"), r.toString());
  }

  record SubprocessResult(int code, String out, String err) {}

  /** Runs the tool in a fresh JVM on the test class path minus jars whose name contains any of
   * {@code without}. */
  static SubprocessResult subprocess(List<String> without, String... args) throws Exception {
    List<String> cp = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String name = Path.of(e).getFileName().toString();
      if (without.stream().noneMatch(name::contains)) {
        cp.add(e);
      }
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", String.join(java.io.File.pathSeparator, cp), Main.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    int code = p.waitFor();
    return new SubprocessResult(code, new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  static DeviceId id(DeviceIdentity d) {
    return d.deviceId();
  }
}
