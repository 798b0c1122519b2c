package io.pairgate.store.json;

import static io.pairgate.testkit.SampleRecords.keyPair;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.StoreCorruptException;
import io.pairgate.TokenCheck;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token secrets at rest (issue 14 items 8 and 11): the files hold hashes only; a store written
 * with plaintext secrets (formatVersion 1) is upgraded once, on a read-write open, file by file;
 * and a parse error never quotes file content, so a secret next to a syntax error stays out of
 * every message.
 */
class TokenSecretsAtRestTest {
  @TempDir Path tmp;

  private static final DeviceKeyPair A = keyPair("at-rest-a");
  private static final DeviceKeyPair B = keyPair("at-rest-b");

  private static String secretOf(DeviceKeyPair k) {
    return SampleRecords.tokenSecret(k.deviceId() + "/operator");
  }

  private static Path file(Path dir, DeviceKeyPair k) {
    String id = k.deviceId().value();
    return dir.resolve("devices").resolve(id.substring(0, 2)).resolve(id + ".json");
  }

  /** Writes a store with {@code keys} paired (SampleRecords.pairedDevice), as this version does. */
  private Path store(String name, DeviceKeyPair... keys) {
    Path dir = tmp.resolve(name);
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      for (DeviceKeyPair k : keys) {
        assertTrue(s.compareAndSet(0, new DeviceRecord(k.deviceId(), 1,
            SampleRecords.pairedDevice(k, "", "operator.read"), null, false, List.of())));
      }
    }
    return dir;
  }

  /** Rewrites a device file as formatVersion 1 wrote it: the plaintext secret instead of the hash. */
  private static void plantPlaintext(Path dir, DeviceKeyPair k) throws IOException {
    Path f = file(dir, k);
    // formatVersion 1 is formatVersion 2 with the secret: start from the previous release's writer
    String text = new String(LegacyDeviceFile.encode(RecordCodec.decode(Files.readAllBytes(f),
        f.toString(), null)), StandardCharsets.UTF_8);
    String hash = SampleRecords.tokenHash(k.deviceId() + "/operator").encoded();
    assertTrue(text.contains("\"hash\": \"" + hash + "\""), text);
    Files.writeString(f, text.replace("\"hash\": \"" + hash + "\"",
            "\"secret\": \"" + secretOf(k) + "\"")
        .replace("\"formatVersion\": 2,", "\"formatVersion\": 1,")
        // nor did formatVersion 1 have the fields issue #18 added
        .replaceAll("(?m)^ *\"(browserOrigin|lastSeenReason)\": \"[^\"]*\",\n", ""));
  }

  private static void plantOldManifest(Path dir) throws IOException {
    Path m = dir.resolve("store.json");
    Files.writeString(m, Files.readString(m).replace("\"formatVersion\": 3", "\"formatVersion\": 1"));
  }

  private static Map<Path, byte[]> snapshot(Path dir) throws IOException {
    Map<Path, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (!p.getFileName().toString().equals("changes.journal")
            && !p.getFileName().toString().equals(".lock")) {
          out.put(p, Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  private static void assertNoFileContains(Path dir, String secret) throws IOException {
    for (Map.Entry<Path, byte[]> e : snapshot(dir).entrySet()) {
      assertFalse(new String(e.getValue(), StandardCharsets.ISO_8859_1).contains(secret),
          e.getKey() + " holds a token secret");
    }
  }

  @Test
  void filesHoldHashesNeverSecrets() throws Exception {
    Path dir = tmp.resolve("live");
    String secret;
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      PairingService svc = PairingService.builder(s).build();
      DeviceRecord r = new DeviceRecord(A.deviceId(), 1,
          SampleRecords.pairedDevice(A, "", "operator.read"), null, false, List.of());
      assertTrue(s.compareAndSet(0, r));
      secret = svc.rotate(A.deviceId(), Role.OPERATOR).secret()
          .value();
      assertEquals(TokenCheck.OK, svc.verifyToken(A.deviceId(), Role.OPERATOR, secret,
          ScopeSet.of("operator.read")));
    }
    assertNoFileContains(dir, secret);
    String text = Files.readString(file(dir, A));
    assertTrue(text.contains("\"hash\": \"sha256:"), text);
  }

  @Test
  void plaintextStoreIsUpgradedOnceOnReadWriteOpen_andNotByAReadOnlyOpen() throws Exception {
    Path dir = store("upgrade", A, B);
    plantPlaintext(dir, A);
    plantPlaintext(dir, B);
    plantOldManifest(dir);
    Map<Path, byte[]> planted = snapshot(dir);

    // a read-only open reads the old format (hashing as it reads) and writes nothing
    try (JsonPairingStore ro = JsonPairingStore.builder(dir).readOnly().open()) {
      DeviceToken t = ro.load(A.deviceId()).orElseThrow().paired().token(Role.OPERATOR);
      assertTrue(t.matches(secretOf(A)));
    }
    assertEquals(planted.keySet(), snapshot(dir).keySet());
    planted.forEach((p, b) -> assertArrayEquals(b, snapshot0(p), p + " changed"));

    // a read-write open upgrades every file, keeping every record's version
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      PairingService svc = PairingService.builder(s).build();
      for (DeviceKeyPair k : List.of(A, B)) {
        DeviceRecord r = s.load(k.deviceId()).orElseThrow();
        assertEquals(1, r.version(), "the upgrade is not a change of the record");
        assertEquals(TokenCheck.OK, svc.verifyToken(k.deviceId(), Role.OPERATOR, secretOf(k),
            ScopeSet.of("operator.read")), "the devices keep their tokens");
      }
    }
    assertNoFileContains(dir, secretOf(A));
    assertNoFileContains(dir, secretOf(B));
    assertTrue(Files.readString(dir.resolve("store.json")).contains("\"formatVersion\": 3"));
    for (DeviceKeyPair k : List.of(A, B)) {
      assertTrue(Files.readString(file(dir, k)).contains("\"formatVersion\": 3,"));
    }

    // once: a second open rewrites nothing
    Map<Path, byte[]> upgraded = snapshot(dir);
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      s.load(A.deviceId()).orElseThrow();
    }
    upgraded.forEach((p, b) -> assertArrayEquals(b, snapshot0(p), p + " rewritten again"));
  }

  @Test
  void upgradeInterruptedHalfWay_isFinishedByTheNextOpen_untouchedFilesStayByteForByte()
      throws Exception {
    Path dir = store("half", A, B);
    plantPlaintext(dir, A); // B was already upgraded when the previous upgrade died
    plantOldManifest(dir);
    byte[] b = Files.readAllBytes(file(dir, B));
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      assertTrue(s.load(A.deviceId()).orElseThrow().paired().token(Role.OPERATOR)
          .matches(secretOf(A)));
    }
    assertArrayEquals(b, Files.readAllBytes(file(dir, B)));
    assertNoFileContains(dir, secretOf(A));
  }

  private static byte[] snapshot0(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // item 11: no secret in errors

  /** Every message in the throwable's chain, and its string form. */
  private static List<String> texts(Throwable t) {
    List<String> out = new ArrayList<>();
    for (Throwable x = t; x != null; x = x.getCause()) {
      out.add(String.valueOf(x.getMessage()));
      out.add(x.toString());
    }
    return out;
  }

  /** Asserts that no 6-character piece of {@code secret} occurs in any of {@code texts}. */
  private static void assertNoPieceOf(String secret, List<String> texts) {
    for (String text : texts) {
      for (int i = 0; i + 6 <= secret.length(); i++) {
        String piece = secret.substring(i, i + 6);
        assertFalse(text.contains(piece), "error text quotes \"" + piece + "\" of the secret: "
            + text);
      }
    }
  }

  @Test
  void syntaxErrorRightAfterASecret_neverQuotesIt() throws Exception {
    String secret = secretOf(A);
    List<String> damages = List.of(
        "\"secret\": " + secret + ",",             // unquoted: "Unrecognized token '<secret>'"
        "\"secret\": \"" + secret + "\"x,",        // a stray character right after it
        "\"secret\": \"" + secret + "\" \"x\",",   // a missing comma
        "\"secret\": \"" + secret + "\u0001\",");  // a control character inside the string
    int n = 0;
    for (String damage : damages) {
      Path dir = store("syntax-" + n++, A);
      plantPlaintext(dir, A);
      Path f = file(dir, A);
      String text = Files.readString(f);
      Files.writeString(f, text.replace("\"secret\": \"" + secret + "\",", damage));
      byte[] before = Files.readAllBytes(f);
      StoreCorruptException e =
          assertThrows(StoreCorruptException.class, () -> JsonPairingStore.open(dir), damage);
      assertTrue(e.getMessage().contains(f.toString()), "the message names the file");
      assertTrue(e.getMessage().contains("line "), "and where: " + e.getMessage());
      assertNoPieceOf(secret, texts(e));
      List<String> problems = new ArrayList<>();
      JsonPairingStore.check(dir).forEach(p -> problems.add(p.toString() + p.message()));
      assertFalse(problems.isEmpty());
      assertNoPieceOf(secret, problems);
      try (JsonPairingStore ro = JsonPairingStore.builder(dir).readOnly().open()) {
        StoreCorruptException r =
            assertThrows(StoreCorruptException.class, () -> ro.load(A.deviceId()));
        assertNoPieceOf(secret, texts(r));
      }
      assertArrayEquals(before, Files.readAllBytes(f), "nothing was written");
    }
  }

  @Test
  void openClawImportOfAFileWithASyntaxErrorAfterAToken_neverQuotesIt() throws Exception {
    String secret = secretOf(B);
    Path devices = tmp.resolve("oc").resolve("devices");
    Files.createDirectories(devices);
    Files.writeString(devices.resolve("paired.json"), "{\n  \"" + B.deviceId() + "\": {\n"
        + "    \"deviceId\": \"" + B.deviceId() + "\",\n    \"publicKey\": \""
        + B.publicKey().base64Url() + "\",\n    \"tokens\": {\"operator\": {\"token\": "
        + secret + "}}\n  }\n}\n");
    try (JsonPairingStore s = JsonPairingStore.open(tmp.resolve("into"))) {
      StoreCorruptException e = assertThrows(StoreCorruptException.class,
          () -> OpenClawFiles.importInto(s, devices));
      assertTrue(e.getMessage().contains("paired.json"), e.getMessage());
      assertNoPieceOf(secret, texts(e));
      assertTrue(s.list("", 10).isEmpty(), "nothing was imported");
    }
  }
}
