package io.pairgate.store.json;

import io.pairgate.RequestId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.Approver;
import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectAttempt;
import io.pairgate.ConnectResult;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.ProofPayload;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.StoreCorruptException;
import io.pairgate.SupersededException;
import io.pairgate.TokenCheck;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.testkit.SampleRecords;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Import of real-shaped OpenClaw {@code devices/paired.json} and {@code pending.json} files of
 * eras A, B and C (see {@code src/test/resources/openclaw/README.md}), checked field by field and
 * by running the real service over the imported store; and export back to the same shapes,
 * round-tripping exactly.
 */
class OpenClawFilesTest {
  @TempDir Path tmp;

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(ID|PK|PKSTD):([a-z]+)}");

  static DeviceKeyPair key(String name) {
    return SampleRecords.keyPair("openclaw-" + name);
  }

  static DeviceId id(String name) {
    return key(name).deviceId();
  }

  /** Copies an era's sample files into a fresh {@code devices/} directory, keys filled in. */
  private Path sample(String era) throws IOException {
    Path devices = tmp.resolve(era).resolve("devices");
    Files.createDirectories(devices);
    for (String f : List.of("paired.json", "pending.json")) {
      String text;
      try (InputStream in = getClass().getResourceAsStream("/openclaw/" + era + "/" + f)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Matcher m = PLACEHOLDER.matcher(text);
      StringBuilder b = new StringBuilder();
      while (m.find()) {
        DeviceKeyPair k = key(m.group(2));
        String v = switch (m.group(1)) {
          case "ID" -> k.deviceId().value();
          case "PK" -> k.publicKey().base64Url();
          default -> Base64.getEncoder().encodeToString(k.publicKey().rawBytes());
        };
        m.appendReplacement(b, v);
      }
      m.appendTail(b);
      Files.writeString(devices.resolve(f), b.toString());
    }
    return devices;
  }

  private JsonPairingStore store(String name) {
    return JsonPairingStore.open(tmp.resolve("store-" + name));
  }

  private static PairingService service(PairingStore store, long nowMs) {
    return PairingService.builder(store)
        .clock(Clock.fixed(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC))
        .build();
  }

  private static ConnectResult connect(PairingService svc, DeviceKeyPair k, Role role,
      ClientInfo client, String... scopes) {
    Challenge ch = svc.issueChallenge();
    String id = k.deviceId().value();
    long at = ch.issuedAt().toEpochMilli();
    String payload = ProofPayload.v3(id, client.clientId(), client.clientMode(), role.name(),
        List.of(scopes), at, "", ch.nonce(), client.platform(), client.deviceFamily());
    return svc.connect(ConnectAttempt.builder().device(id, k.publicKey().base64Url()).role(role)
        .scopes(scopes).client(client).proof(k.sign(payload), at, ch.nonce()).challenge(ch)
        .auth(AuthMethod.SHARED_TOKEN, "").build());
  }

  private static Instant ms(long v) {
    return Instant.ofEpochMilli(v);
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void eraA_legacyRecords_tokens_andDuplicatePendingRequests() throws Exception {
    Path devices = sample("era-a");
    try (JsonPairingStore s = store("a")) {
      OpenClawFiles.ImportReport r = OpenClawFiles.importInto(s, devices);
      assertEquals(List.of(), r.skipped());
      assertEquals(4, r.imported().size());
      assertEquals(3, r.pairedCount());
      assertEquals(1, r.pendingCount());
      assertEquals(2, r.warnings().stream().filter(w -> w.contains("#21447")).count(),
          r.warnings().toString());
      assertTrue(r.warnings().stream().anyMatch(w -> w.contains("superseded")));

      PairedDevice mac = s.load(id("mac")).orElseThrow().paired();
      assertEquals(key("mac").publicKey(), mac.publicKey());
      assertEquals(List.of(Role.OPERATOR), mac.roles());
      assertEquals(ScopeSet.of("operator.admin", "operator.approvals", "operator.pairing"),
          mac.approvedScopes());
      assertEquals(new ClientInfo("openclaw-macos", "ui", "darwin", "", "Ada's MacBook", ""),
          mac.client());
      assertEquals("192.168.1.20", mac.remoteAddress());
      assertEquals("import", mac.approvedVia());
      assertEquals("", mac.label());
      assertEquals(ms(1771200000000L), mac.createdAt());
      assertEquals(ms(1771200000000L), mac.approvedAt());
      assertNull(mac.lastSeenAt());
      DeviceToken t = mac.token(Role.OPERATOR);
      assertEquals(new DeviceToken(Role.OPERATOR, mac.approvedScopes(),
          io.pairgate.TokenHash.of("9f86d081884c7d659a2feaa0c55ad015"), ms(1771200000000L), null,
          null,
          ms(1771400000000L)), t);

      PairedDevice legacy = s.load(id("legacy")).orElseThrow().paired();
      assertEquals(key("legacy").publicKey(), legacy.publicKey(), "padded base64 normalized");
      assertEquals(List.of(Role.OPERATOR), legacy.roles());
      assertEquals(ScopeSet.of("operator.read"), legacy.approvedScopes(),
          "a legacy baseline is what its token was granted");
      assertTrue(legacy.legacyMetadata(), "a record from before pinning is marked (R4.7)");
      assertFalse(mac.legacyMetadata(), "a record with roles and scopes pins its metadata");

      PairedDevice bare = s.load(id("bare")).orElseThrow().paired();
      assertEquals(List.of(Role.OPERATOR), bare.roles());
      assertEquals(ScopeSet.empty(), bare.approvedScopes());
      assertEquals(Map.of(), bare.tokens());

      DeviceRecord phone = s.load(id("phone")).orElseThrow();
      PendingRequest p = phone.pending();
      assertEquals("a7e41b22-5c3d-4f8e-b6a1-0c9d8e7f6a5b", p.requestId().value(), "the newest is kept");
      assertEquals(ScopeSet.of("operator.read", "operator.write"), p.scopes());
      assertEquals(ms(1771500060000L), p.createdAt());
      assertEquals(ms(1771500060000L), p.refreshedAt());
      assertEquals(ms(1771500060000L + 300_000), p.expiresAt());
      assertEquals(UpgradeReason.NOT_PAIRED, p.reason());
      assertFalse(p.repair());
      assertEquals("192.168.1.31", p.remoteAddress());
      assertEquals(List.of(new ResolvedRequest(RequestId.of("3f1c2a9e-8b7d-4c6e-9a1f-2b3c4d5e6f70"),
          ResolvedRequest.Resolution.SUPERSEDED, p.requestId(), p.refreshedAt())), phone.resolved());

      // The real service over the imported store.
      PairingService svc = service(s, 1771500100000L);
      ConnectResult.Allowed a = (ConnectResult.Allowed) connect(svc, key("mac"), Role.OPERATOR,
          mac.client(), "operator.admin");
      assertTrue(a.token().matches("9f86d081884c7d659a2feaa0c55ad015"));
      assertTrue(a.secret().isEmpty(), "only the hash was imported; the device keeps its token");
      assertFalse(a.tokenIssued());
      try (java.util.stream.Stream<Path> files = Files.walk(s.directory())) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertFalse(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)
              .contains("9f86d081884c7d659a2feaa0c55ad015"), f + " holds an imported secret");
        }
      }
      assertTrue(connect(svc, key("legacy"), Role.OPERATOR, legacy.client(), "operator.read")
          instanceof ConnectResult.Allowed);
      ConnectResult up = connect(svc, key("legacy"), Role.OPERATOR, legacy.client(),
          "operator.write");
      assertEquals(UpgradeReason.SCOPE_UPGRADE, ((ConnectResult.PairingRequired) up).reason());
      SupersededException sup = assertThrows(SupersededException.class,
          () -> svc.approve(RequestId.of("3f1c2a9e-8b7d-4c6e-9a1f-2b3c4d5e6f70"), Approver.admin("op")));
      assertEquals(p.requestId(), sup.successorRequestId());
      svc.approve(p.requestId(), Approver.admin("op"));
      assertEquals(ScopeSet.of("operator.read", "operator.write"),
          s.load(id("phone")).orElseThrow().paired().approvedScopes());
    }
  }

  @Test
  void eraB_approvedScopesBaseline_rotatedAndRevokedTokens_repairRequest() throws Exception {
    Path devices = sample("era-b");
    try (JsonPairingStore s = store("b")) {
      OpenClawFiles.ImportReport r = OpenClawFiles.importInto(s, devices);
      assertEquals(List.of(), r.skipped());
      assertEquals(3, r.imported().size());
      assertTrue(r.dropped().stream().anyMatch(w -> w.startsWith("pending.json.silent: ")),
          r.dropped().toString());

      DeviceRecord laptop = s.load(id("laptop")).orElseThrow();
      PairedDevice lp = laptop.paired();
      assertEquals(ScopeSet.of("operator.read", "operator.write"), lp.approvedScopes(),
          "approvedScopes, not the narrowed scopes, is the baseline");
      DeviceToken lt = lp.token(Role.OPERATOR);
      assertEquals(ScopeSet.of("operator.read"), lt.scopes());
      assertEquals(ms(1771650000000L), lt.rotatedAt());
      assertEquals(ms(1771660000000L), lt.lastUsedAt());
      PendingRequest repair = laptop.pending();
      assertTrue(repair.repair());
      assertEquals(UpgradeReason.SCOPE_UPGRADE, repair.reason());
      assertEquals(ScopeSet.of("operator.admin"), repair.scopes());

      PairedDevice node = s.load(id("node")).orElseThrow().paired();
      assertEquals(List.of(Role.NODE), node.roles());
      assertEquals(ms(1771700000000L), node.token(Role.NODE).revokedAt());
      assertEquals(List.of(), node.effectiveRoles(), "its only token is revoked");

      DeviceRecord tablet = s.load(id("tablet")).orElseThrow();
      assertEquals("0b5e7d3c-9a8f-4e21-b0c4-d6e5f4a3b2c1", tablet.pending().requestId().value());
      assertEquals("e9d8c7b6-a5f4-4e3d-8c2b-1a0f9e8d7c6b",
          tablet.resolved().get(0).requestId().value());

      PairingService svc = service(s, 1771720200000L);
      assertEquals(TokenCheck.OK, svc.verifyToken(id("laptop"), Role.OPERATOR,
          "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg", ScopeSet.of("operator.read")));
      assertEquals(TokenCheck.REVOKED, svc.verifyToken(id("node"), Role.NODE,
          "LPJNul-wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ", ScopeSet.empty()));
      ConnectResult again = connect(svc, key("laptop"), Role.OPERATOR, lp.client(),
          "operator.admin");
      assertEquals(repair.requestId(), ((ConnectResult.PairingRequired) again).requestId(),
          "the imported request is the device's live request");
    }
  }

  @Test
  void eraC_mergedRefreshedRequests_deviceFamily_metadataUpgrade_eraDFields() throws Exception {
    Path devices = sample("era-c");
    try (JsonPairingStore s = store("c")) {
      OpenClawFiles.ImportReport r = OpenClawFiles.importInto(s, devices);
      assertEquals(List.of(), r.skipped());
      assertEquals(3, r.imported().size());

      DeviceRecord iphone = s.load(id("iphone")).orElseThrow();
      PairedDevice ip = iphone.paired();
      assertEquals("iPhone", ip.client().deviceFamily());
      assertEquals("Zoë (phone)", ip.label());
      assertEquals(ms(1777000000000L), ip.lastSeenAt());
      assertEquals("silent", ip.approvedVia(), "OpenClaw's approvedVia is carried over");
      assertEquals(UpgradeReason.METADATA_UPGRADE, iphone.pending().reason());

      PairedDevice host = s.load(id("host")).orElseThrow().paired();
      assertEquals(List.of(Role.NODE, Role.OPERATOR), host.roles());
      assertEquals(2, host.tokens().size());
      assertEquals(ms(1777100000000L), host.token(Role.OPERATOR).lastUsedAt());

      PendingRequest desk = s.load(id("desk")).orElseThrow().pending();
      assertEquals(Role.NODE, desk.role());
      assertEquals(List.of(Role.NODE, Role.OPERATOR), desk.roles());
      assertEquals(ms(1777300000000L), desk.createdAt());
      assertEquals(ms(1777300090000L), desk.refreshedAt());
      assertEquals(ms(1777300090000L + 300_000), desk.expiresAt());
      assertEquals(UpgradeReason.NOT_PAIRED, desk.reason());
    }
  }

  @Test
  void arrayTypedFiles_areReadAsEmpty() throws Exception {
    Path devices = tmp.resolve("arrays").resolve("devices");
    Files.createDirectories(devices);
    Files.writeString(devices.resolve("paired.json"), "[]\n");
    Files.writeString(devices.resolve("pending.json"), "[]");
    try (JsonPairingStore s = store("arrays")) {
      OpenClawFiles.ImportReport r = OpenClawFiles.importInto(s, devices);
      assertEquals(List.of(), r.imported());
      assertEquals(2, r.warnings().stream().filter(w -> w.contains("#63035")).count());
      // One file an array, the other real: the real one is imported.
      Path era = sample("era-a");
      Files.writeString(era.resolve("paired.json"), "[]");
      assertEquals(1, OpenClawFiles.importInto(s, era).pendingCount());
    }
  }

  @Test
  void unreadableFile_failsTheWholeImport_namingTheFile() throws Exception {
    Path devices = sample("era-b");
    Path paired = devices.resolve("paired.json");
    String text = Files.readString(paired);
    Files.writeString(paired, text.substring(0, text.length() / 2));
    try (JsonPairingStore s = store("broken")) {
      StoreCorruptException e =
          assertThrows(StoreCorruptException.class, () -> OpenClawFiles.importInto(s, devices));
      assertEquals(paired.toString(), e.location());
      assertEquals(List.of(), s.list("", 10), "nothing is imported from a half-read state");
      Files.writeString(paired, "[{\"deviceId\": \"x\"}]");
      assertThrows(StoreCorruptException.class, () -> OpenClawFiles.importInto(s, devices));
      Files.writeString(paired, "\"paired\"");
      assertThrows(StoreCorruptException.class, () -> OpenClawFiles.importInto(s, devices));
    }
  }

  @Test
  void aRowOverTheInputLimits_isNamedWithItsField_andNotImported() throws Exception {
    // issue 17 item 9: a pending entry whose display name is over the limit a connect has (R16.1)
    Path devices = sample("era-a");
    Path pending = devices.resolve("pending.json");
    String huge = "P".repeat(io.pairgate.InputLimits.DISPLAY_NAME + 1);
    Files.writeString(pending, Files.readString(pending)
        .replace("\"displayName\": \"Pixel 8\"", "\"displayName\": \"" + huge + "\""));
    try (JsonPairingStore s = store("over-limit")) {
      OpenClawFiles.ImportRefusedException e = assertThrows(
          OpenClawFiles.ImportRefusedException.class, () -> OpenClawFiles.importInto(s, devices));
      assertTrue(e.rejected().stream().anyMatch(r -> r.contains("over the input limits")
          && r.contains("displayName")), e.rejected().toString());
      assertFalse(e.getMessage().contains("PPPPPPPP"), "the content is never quoted");
      assertEquals(List.of(), s.list("", 10), "nothing imported");
      OpenClawFiles.ImportReport r =
          OpenClawFiles.importInto(s, devices, OpenClawFiles.DEFAULT_PENDING_TTL, true);
      assertTrue(r.skipped().stream().anyMatch(x -> x.contains("over the input limits")),
          r.skipped().toString());
      assertTrue(r.pairedCount() > 0, "the rest is imported when asked to skip");
    }
  }

  @Test
  void badEntriesAndDevicesAlreadyStored_refuseTheWholeImport_orAreSkippedWhenAsked()
      throws Exception {
    Path devices = sample("era-a");
    Path paired = devices.resolve("paired.json");
    String text = Files.readString(paired);
    // An entry whose id is not a device id, and one whose key does not derive its id.
    String extra = "  \"dev-1\": {\"deviceId\": \"dev-1\", \"publicKey\": \""
        + key("x").publicKey().base64Url() + "\", \"createdAtMs\": 1, \"approvedAtMs\": 1},\n"
        + "  \"" + id("y") + "\": {\"publicKey\": \"" + key("z").publicKey().base64Url()
        + "\", \"createdAtMs\": 1, \"approvedAtMs\": 1},\n";
    Files.writeString(paired, "{\n" + extra + text.substring(2));
    try (JsonPairingStore s = store("skips")) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(key("mac"), 1, "already here")));
      OpenClawFiles.ImportRefusedException refused = assertThrows(
          OpenClawFiles.ImportRefusedException.class, () -> OpenClawFiles.importInto(s, devices));
      assertEquals(3, refused.rejected().size(), refused.rejected().toString());
      assertTrue(refused.rejected().get(0).contains("dev-1"), refused.rejected().toString());
      assertTrue(refused.rejected().get(1).contains("derives device id"),
          refused.rejected().toString());
      assertTrue(refused.rejected().get(2).contains("already in the store"),
          refused.rejected().toString());
      assertEquals(1, s.list("", 100).size(), "a refused import writes nothing");

      OpenClawFiles.ImportReport r = OpenClawFiles.importInto(s, devices,
          OpenClawFiles.DEFAULT_PENDING_TTL, true);
      assertEquals(3, r.skipped().size(), r.skipped().toString());
      assertTrue(r.skipped().get(0).contains("dev-1"), r.skipped().toString());
      assertTrue(r.skipped().get(1).contains("derives device id"), r.skipped().toString());
      assertTrue(r.skipped().get(2).contains("already in the store"), r.skipped().toString());
      assertEquals("already here", s.load(id("mac")).orElseThrow().paired().label(),
          "an existing device is never overwritten");
      assertEquals(3, r.imported().size());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"era-a", "era-b", "era-c"})
  void export_writesOpenClawShapes_andRoundTripsExactly(String era) throws Exception {
    Path source = sample(era);
    Path out1 = tmp.resolve("out1-" + era);
    Path out2 = tmp.resolve("out2-" + era);
    List<DeviceRecord> first;
    try (JsonPairingStore s = store("first-" + era)) {
      OpenClawFiles.importInto(s, source);
      first = s.list("", 100);
      OpenClawFiles.ExportReport r = OpenClawFiles.exportFrom(s, out1);
      assertEquals(first.stream().filter(x -> x.paired() != null
          && !x.paired().effectiveRoles().isEmpty()).count(), r.pairedCount());
      assertEquals(first.stream().filter(x -> x.pending() != null).count(), r.pendingCount());
    }
    // No token leaves the store: neither a "token" field nor any imported secret.
    String exported = Files.readString(out1.resolve("paired.json"));
    assertFalse(exported.contains("\"token\""), exported);
    JsonNode src0 = JsonMapper.builder().build().readTree(source.resolve("paired.json").toFile());
    for (JsonNode d : src0) {
      if (d.has("tokens")) {
        for (JsonNode t : d.get("tokens")) {
          if (t.has("token")) {
            assertFalse(exported.contains(t.get("token").asString()), "a secret was exported");
          }
        }
      }
    }
    try (JsonPairingStore s = store("second-" + era)) {
      OpenClawFiles.ImportReport r = OpenClawFiles.importInto(s, out1);
      assertEquals(List.of(), r.skipped());
      Map<DeviceId, DeviceRecord> second = new java.util.HashMap<>();
      s.list("", 100).forEach(x -> second.put(x.deviceId(), x));
      for (DeviceRecord f : first) {
        DeviceRecord g = second.get(f.deviceId());
        PairedDevice p = f.paired();
        if (p != null && !p.effectiveRoles().isEmpty()) {
          // the approval comes back without tokens, and only with the roles still effective
          assertEquals(new PairedDevice(p.deviceId(), p.publicKey(), p.effectiveRoles(),
              p.approvedScopes(), p.client(), p.label(), Map.of(), p.createdAt(),
              p.approvedAt(), p.lastSeenAt(), p.approvedVia(), p.remoteAddress(),
              p.browserOrigin(), p.lastSeenReason()), g.paired());
        } else if (g != null) {
          assertNull(g.paired(), "a device without an effective role is not exported as paired");
        }
        if (f.pending() != null) {
          assertEquals(f.pending(), g.pending());
        }
      }
      OpenClawFiles.exportFrom(s, out2);
    }
    for (String f : List.of("paired.json", "pending.json")) {
      assertArrayEquals(Files.readAllBytes(out1.resolve(f)), Files.readAllBytes(out2.resolve(f)),
          f + " changes in a second round trip");
      if (Fs.posix()) {
        assertEquals("rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(out1.resolve(f))));
      }
    }
    // The shapes: objects keyed by deviceId / requestId holding OpenClaw's field names.
    JsonMapper m = JsonMapper.builder().build();
    JsonNode paired = m.readTree(out1.resolve("paired.json").toFile());
    JsonNode sourcePaired = m.readTree(source.resolve("paired.json").toFile());
    for (String deviceId : sourcePaired.propertyNames()) {
      JsonNode d = paired.get(deviceId);
      JsonNode src = sourcePaired.get(deviceId);
      if (d == null) {
        continue; // every role revoked (or skipped as unimportable): not exported
      }
      assertEquals(deviceId, d.get("deviceId").stringValue());
      for (String k : List.of("publicKey", "roles", "approvedScopes", "approvedVia",
          "createdAtMs", "approvedAtMs")) {
        assertTrue(d.has(k), deviceId + " lacks " + k);
      }
      for (String k : List.of("displayName", "platform", "clientId", "clientMode", "remoteIp",
          "createdAtMs", "approvedAtMs", "lastSeenAtMs", "operatorLabel")) {
        if (src.has(k) && !src.get(k).asString().isEmpty()) {
          assertEquals(src.get(k), d.get(k), deviceId + "." + k);
        }
      }
      assertEquals(0, d.get("tokens").size(), deviceId + ": tokens are never exported");
    }
    JsonNode pending = m.readTree(out1.resolve("pending.json").toFile());
    for (String requestId : pending.propertyNames()) {
      JsonNode p = pending.get(requestId);
      assertEquals(requestId, p.get("requestId").stringValue());
      for (String k : List.of("deviceId", "publicKey", "role", "roles", "scopes", "isRepair",
          "ts")) {
        assertTrue(p.has(k), requestId + " lacks " + k);
      }
    }
  }

  @Test
  void export_reportsWhatOpenClawCannotHold_andImportedDevicesStayPaired() throws Exception {
    try (JsonPairingStore s = store("report")) {
      DeviceKeyPair k = key("blocked");
      assertTrue(s.compareAndSet(0, SampleRecords.full(k, 1, "report", true)));
      OpenClawFiles.ExportReport r = OpenClawFiles.exportFrom(s, tmp.resolve("out"));
      assertEquals(1, r.pairedCount());
      assertEquals(1, r.pendingCount());
      List<String> expected = new ArrayList<>();
      expected.add(k.deviceId() + ": role node (its token was revoked; OpenClaw could not keep it"
          + " revoked without a token)");
      expected.add(k.deviceId() + ": device token(s) for [node, operator] (only hashes are"
          + " stored; OpenClaw issues new ones, see 'Back to OpenClaw' in docs/operations.md)");
      expected.add(k.deviceId() + ": blocked (OpenClaw has no block list)");
      expected.add(k.deviceId() + ": 4 remembered request id(s)");
      assertEquals(expected, r.notExported());
      Optional<DeviceRecord> still = s.load(k.deviceId());
      assertTrue(still.isPresent(), "export does not change the store");
    }
  }

  /** A store whose n-th compare-and-set fails, to show an import never stays half-applied. */
  static final class FailingStore implements PairingStore {
    final io.pairgate.InMemoryPairingStore inner = new io.pairgate.InMemoryPairingStore();
    int writesBeforeFailure;

    FailingStore(int writesBeforeFailure) {
      this.writesBeforeFailure = writesBeforeFailure;
    }

    @Override
    public Optional<DeviceRecord> load(DeviceId deviceId) {
      return inner.load(deviceId);
    }

    @Override
    public Optional<DeviceRecord> findByRequestId(RequestId requestId) {
      return inner.findByRequestId(requestId);
    }

    @Override
    public boolean compareAndSet(long expectedVersion, DeviceRecord next) {
      if (!next.isEmpty() && writesBeforeFailure-- == 0) {
        throw new io.pairgate.StoreException("disk full (injected)", true);
      }
      return inner.compareAndSet(expectedVersion, next);
    }

    @Override
    public List<DeviceRecord> list(String afterDeviceId, int limit) {
      return inner.list(afterDeviceId, limit);
    }
  }

  @Test
  void aWriteFailingMidway_leavesNothingImported() throws Exception {
    Path devices = sample("era-a");
    FailingStore s = new FailingStore(2);
    io.pairgate.StoreException e = assertThrows(io.pairgate.StoreException.class,
        () -> OpenClawFiles.importInto(s, devices));
    assertTrue(e.getMessage().contains("disk full"), e.getMessage());
    assertEquals(List.of(), s.inner.list("", 100), "the two devices written were removed again");
  }

  @Test
  void rowsOf2026_9_keepProvenance_andReportDroppedFieldsByName() {
    DeviceKeyPair a = key("rows-a");
    DeviceKeyPair b = key("rows-b");
    Map<String, Object> paired = new java.util.LinkedHashMap<>();
    paired.put("deviceId", a.deviceId().value());
    paired.put("publicKey", a.publicKey().base64Url());
    paired.put("platform", "linux");
    paired.put("clientId", "cli");
    paired.put("clientMode", "cli");
    paired.put("browserOrigin", "http://127.0.0.1");
    paired.put("role", "operator");
    paired.put("roles", List.of("operator"));
    paired.put("scopes", List.of("operator.read", "operator.write"));
    paired.put("approvedScopes", List.of("operator.read", "operator.write"));
    paired.put("remoteIp", "203.0.113.5");
    paired.put("approvedVia", "owner");
    paired.put("operatorLabel", "build box");
    paired.put("nodeSurface", Map.of("commands", List.of("x")));
    paired.put("createdAtMs", 1_700_000_000_000L);
    paired.put("approvedAtMs", 1_700_000_001_000L);
    paired.put("lastSeenAtMs", 1_700_000_002_000L);
    paired.put("lastSeenReason", "connect");
    Map<String, Object> pending = new java.util.LinkedHashMap<>();
    String rid = "5b0f6c1e-3d2a-4f7b-9c8d-1e2f3a4b5c6d";
    pending.put("requestId", rid);
    pending.put("deviceId", b.deviceId().value());
    pending.put("publicKey", b.publicKey().base64Url());
    pending.put("browserOrigin", "https://ui.example");
    pending.put("role", "operator");
    pending.put("scopes", List.of("operator.read"));
    pending.put("silent", true);
    pending.put("isRepair", false);
    pending.put("ts", 1_700_000_003_000L);
    pending.put("refreshedAtMs", 1_700_000_004_000L);
    io.pairgate.InMemoryPairingStore s = new io.pairgate.InMemoryPairingStore();
    OpenClawFiles.ImportReport r = OpenClawFiles.importRows(s, new OpenClawFiles.Rows(
        "device_pairing_paired", List.of(new OpenClawFiles.Row(a.deviceId().value(), paired)),
        "device_pairing_pending", List.of(new OpenClawFiles.Row(rid, pending)), List.of(),
        List.of()), OpenClawFiles.DEFAULT_PENDING_TTL, false);
    assertEquals(1, r.pairedCount());
    assertEquals(1, r.pendingCount());
    PairedDevice p = s.load(a.deviceId()).orElseThrow().paired();
    assertEquals("operator", p.approvedVia(), "owner is Pairgate's operator approval");
    assertEquals("http://127.0.0.1", p.browserOrigin());
    assertEquals("203.0.113.5", p.remoteAddress());
    assertEquals("build box", p.label());
    assertEquals("connect", p.lastSeenReason());
    assertEquals(Instant.ofEpochMilli(1_700_000_002_000L), p.lastSeenAt());
    PendingRequest q = s.load(b.deviceId()).orElseThrow().pending();
    assertEquals(rid, q.requestId().value());
    assertEquals("https://ui.example", q.browserOrigin());
    assertEquals(Instant.ofEpochMilli(1_700_000_004_000L), q.refreshedAt());
    assertEquals(Instant.ofEpochMilli(1_700_000_003_000L), q.createdAt());
    assertEquals(2, r.dropped().size(), r.dropped().toString());
    assertTrue(r.dropped().get(0).startsWith("device_pairing_paired.nodeSurface: "), r.dropped()
        .toString());
    assertTrue(r.dropped().get(1).startsWith("device_pairing_pending.silent: "), r.dropped()
        .toString());
  }
}
