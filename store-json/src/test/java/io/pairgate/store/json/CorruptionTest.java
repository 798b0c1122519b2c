package io.pairgate.store.json;

import static io.pairgate.testkit.SampleRecords.keyPair;
import static io.pairgate.testkit.SampleRecords.requestId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.ErrorCode;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of damaged device file: a typed error naming the file and the problem, never treated
 * as empty and never overwritten; read-only opening works around it; check() lists it; quarantine
 * moves it aside so that the rest of the store opens and works again.
 */
class CorruptionTest {
  @TempDir Path tmp;

  private static final DeviceKeyPair BAD = keyPair("corrupt-bad");
  private static final DeviceKeyPair GOOD = keyPair("corrupt-good");
  private static final DeviceKeyPair OTHER = keyPair("corrupt-other");

  /** How a case damages the bad device's file text. */
  private record Damage(String name, StoreProblem.Kind kind, String messagePart,
      boolean shallow, UnaryOperator<String> edit) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> damages() {
    String otherDevice = new String(RecordCodec.encode(SampleRecords.full(OTHER, 1, "o", false)),
        StandardCharsets.UTF_8);
    return Stream.of(
        new Damage("empty file", StoreProblem.Kind.TRUNCATED, "empty", true, s -> ""),
        new Damage("cut in half", StoreProblem.Kind.TRUNCATED, "truncated", true,
            s -> s.substring(0, s.length() / 2)),
        new Damage("cut before the last brace", StoreProblem.Kind.TRUNCATED, "truncated", true,
            s -> s.substring(0, s.lastIndexOf('}'))),
        new Damage("not JSON", StoreProblem.Kind.UNPARSABLE, "not valid JSON", true,
            s -> "\u0000\u0000garbage" + s),
        new Damage("trailing garbage", StoreProblem.Kind.UNPARSABLE, "not valid JSON", true,
            s -> s + "}{"),
        new Damage("duplicate key", StoreProblem.Kind.UNPARSABLE, "blocked", true,
            s -> s.replace("\"blocked\": false,", "\"blocked\": false,\n  \"blocked\": true,")),
        new Damage("top-level array", StoreProblem.Kind.SCHEMA, "expected an object", true,
            s -> "[" + s + "]"),
        new Damage("missing field", StoreProblem.Kind.SCHEMA, "paired.approvedAt", false,
            s -> s.replaceFirst("\"approvedAt\": \"[^\"]+\",", "")),
        new Damage("wrong type", StoreProblem.Kind.SCHEMA, "version", true,
            s -> s.replace("\"version\": 1\n", "\"version\": \"1\"\n")),
        new Damage("unknown field", StoreProblem.Kind.SCHEMA, "paired.colour", false,
            s -> s.replace("\"label\":", "\"colour\": \"red\",\n    \"label\":")),
        new Damage("malformed scope", StoreProblem.Kind.SCHEMA, "approvedScopes", false,
            s -> s.replace("\"operator.write\"", "\"operator write!\"")),
        new Damage("unknown outcome", StoreProblem.Kind.SCHEMA, "resolved[1].outcome", false,
            s -> s.replace("\"outcome\": \"rejected\"", "\"outcome\": \"vanished\"")),
        new Damage("reason in the wrong case", StoreProblem.Kind.SCHEMA, "pending.reason", false,
            s -> s.replace("\"reason\": \"scope-upgrade\"", "\"reason\": \"SCOPE-UPGRADE\"")),
        new Damage("fractional version", StoreProblem.Kind.SCHEMA, "version", true,
            s -> s.replace("\"version\": 1\n", "\"version\": 1.5\n")),
        new Damage("bad public key", StoreProblem.Kind.SCHEMA, "publicKey", false,
            s -> s.replaceFirst("\"publicKey\": \"[^\"]+\"", "\"publicKey\": \"AAAA\"")),
        new Damage("empty record", StoreProblem.Kind.SCHEMA, "empty", false,
            s -> String.join("\n", Arrays.asList(
                "{", "  \"blocked\": false,", "  \"deviceId\": \"" + BAD.deviceId() + "\",",
                "  \"format\": \"pairgate-device\",", "  \"formatVersion\": 2,",
                "  \"paired\": null,", "  \"pending\": null,", "  \"resolved\": [],",
                "  \"version\": 3", "}"))),
        new Damage("another device's content", StoreProblem.Kind.MISPLACED, "name says", true,
            s -> otherDevice),
        new Damage("newer formatVersion", StoreProblem.Kind.NEWER_FORMAT, "newer Pairgate", true,
            s -> s.replace("\"formatVersion\": 3,", "\"formatVersion\": 7,")),
        new Damage("other format", StoreProblem.Kind.NEWER_FORMAT, "expected \"pairgate-device\"", true,
            s -> s.replace("\"format\": \"pairgate-device\"", "\"format\": \"openclaw\"")))
        .map(Arguments::of);
  }

  private Path store() {
    return tmp.resolve("store");
  }

  private Path fileOf(DeviceKeyPair k) {
    return new Layout(store()).deviceFile(k.deviceId().value());
  }

  /** A store with a good and a bad device; returns the bad device's damaged bytes. */
  private byte[] damagedStore(Damage d) throws Exception {
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      assertTrue(s.compareAndSet(0, SampleRecords.full(BAD, 1, "bad", false)));
      assertTrue(s.compareAndSet(0, SampleRecords.full(GOOD, 1, "good", false)));
    }
    Path f = fileOf(BAD);
    String damaged = d.edit().apply(Files.readString(f, StandardCharsets.UTF_8));
    Files.writeString(f, damaged, StandardCharsets.UTF_8);
    return Files.readAllBytes(f);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damages")
  void damagedDeviceFile_isReportedNamingFileAndProblem_neverEmptyNeverOverwritten(Damage d)
      throws Exception {
    byte[] damaged = damagedStore(d);
    Path f = fileOf(BAD);

    // 1. A verifying read-write open refuses the store with a typed error naming the file and
    //    problem; so does a default open for damage a streaming read sees (syntax, format, id).
    StoreException e = assertThrows(StoreException.class,
        () -> JsonPairingStore.builder(store()).verifyOnOpen().open());
    if (d.shallow()) {
      StoreException plain =
          assertThrows(StoreException.class, () -> JsonPairingStore.open(store()));
      assertEquals(e.getClass(), plain.getClass());
      assertEquals(e.getMessage(), plain.getMessage());
    } else {
      // Deeper schema damage: the store opens; the device is an error on every access, and the
      // file is never overwritten.
      try (JsonPairingStore s = JsonPairingStore.open(store())) {
        StoreCorruptException le =
            assertThrows(StoreCorruptException.class, () -> s.load(BAD.deviceId()));
        assertEquals(f.toString(), le.location());
        assertTrue(le.getMessage().contains(d.messagePart()), le.getMessage());
        assertThrows(StoreCorruptException.class, () -> s.findByRequestId(requestId("bad/pending")));
        assertThrows(StoreCorruptException.class,
            () -> s.compareAndSet(1, SampleRecords.paired(BAD, 2, "overwrite?")));
        assertThrows(StoreCorruptException.class,
            () -> s.compareAndSet(0, SampleRecords.paired(BAD, 1, "overwrite?")));
        assertEquals(Optional.of(SampleRecords.full(GOOD, 1, "good", false)),
            s.load(GOOD.deviceId()));
      }
    }
    if (d.kind() == StoreProblem.Kind.NEWER_FORMAT) {
      StoreFormatException fe = assertInstanceOf(StoreFormatException.class, e);
      assertEquals(f.toString(), fe.location());
    } else {
      StoreCorruptException ce = assertInstanceOf(StoreCorruptException.class, e);
      assertEquals(f.toString(), ce.location());
      assertEquals(ErrorCode.STORE_CORRUPT, ce.code());
    }
    assertTrue(e.getMessage().contains(d.messagePart()), e.getMessage());
    assertFalse(e.retryable());
    assertArrayEquals(damaged, Files.readAllBytes(f), "the damaged file must be left as is");

    // 2. check() lists exactly this problem.
    List<StoreProblem> problems = JsonPairingStore.check(store());
    assertEquals(1, problems.size(), problems.toString());
    assertEquals(f, problems.get(0).file());
    assertEquals(d.kind(), problems.get(0).kind());
    assertTrue(problems.get(0).message().contains(d.messagePart()), problems.get(0).message());

    // 3. Read-only: the rest works; the bad device is an error, not "absent".
    DeviceRecord good = SampleRecords.full(GOOD, 1, "good", false);
    try (JsonPairingStore ro = JsonPairingStore.builder(store()).readOnly().open()) {
      StoreException le = assertThrows(StoreException.class, () -> ro.load(BAD.deviceId()));
      assertTrue(le.getMessage().startsWith(f.toString()), le.getMessage());
      assertEquals(Optional.of(good), ro.load(GOOD.deviceId()));
      assertEquals(Optional.of(good), ro.findByRequestId(requestId("good/pending")));
      StoreCorruptException unknown = assertThrows(StoreCorruptException.class,
          () -> ro.findByRequestId(requestId("bad/pending")),
          "an id that may be in the unreadable file must not be reported as unknown");
      assertEquals(f.toString(), unknown.location());
      assertEquals(problems, ro.check());
    }
    assertArrayEquals(damaged, Files.readAllBytes(f));

    // 4. Quarantine moves the file aside; the store opens and the rest keeps working.
    Path moved = JsonPairingStore.quarantine(store(), f);
    assertFalse(Files.exists(f));
    assertEquals(store().resolve("quarantine"), moved.getParent());
    assertArrayEquals(damaged, Files.readAllBytes(moved), "quarantine keeps the bytes");
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      assertEquals(List.of(), s.check());
      assertEquals(Optional.of(good), s.load(GOOD.deviceId()));
      assertEquals(Optional.empty(), s.load(BAD.deviceId()));
      assertTrue(s.compareAndSet(0, SampleRecords.paired(BAD, 1, "re-paired")));
    }
  }

  private static <T> T assertInstanceOf(Class<T> type, Object o) {
    assertTrue(type.isInstance(o), "expected " + type.getSimpleName() + " but was " + o);
    return type.cast(o);
  }

  @Test
  void fileDamagedWhileOpen_compareAndSetFailsNamingIt_andLeavesItAlone() throws Exception {
    try (JsonPairingStore s = JsonPairingStore.builder(store()).cacheSize(0).open()) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(BAD, 1, "v1")));
      assertTrue(s.compareAndSet(0, SampleRecords.paired(GOOD, 1, "v1")));
      Path f = fileOf(BAD);
      byte[] truncated = Arrays.copyOf(Files.readAllBytes(f), 40);
      Files.write(f, truncated);
      StoreCorruptException e = assertThrows(StoreCorruptException.class,
          () -> s.compareAndSet(1, SampleRecords.paired(BAD, 2, "v2")));
      assertEquals(f.toString(), e.location());
      assertArrayEquals(truncated, Files.readAllBytes(f));
      assertThrows(StoreCorruptException.class, () -> s.load(BAD.deviceId()));
      assertTrue(s.compareAndSet(1, SampleRecords.paired(GOOD, 2, "v2")), "others still work");

      // The running store can quarantine it too; a second handle stops seeing the device.
      try (JsonPairingStore other = JsonPairingStore.builder(store()).readOnly().open()) {
        Path moved = s.quarantine(store().relativize(f));
        assertTrue(Files.exists(moved));
        assertEquals(Optional.empty(), s.load(BAD.deviceId()));
        assertEquals(Optional.empty(), other.load(BAD.deviceId()));
      }
    }
  }

  @Test
  void damagedManifest_isReportedNamingIt() throws Exception {
    JsonPairingStore.open(store()).close();
    Path manifest = store().resolve("store.json");
    Files.writeString(manifest, "{\"format\": \"pairgate-json-store\", \"formatVer");
    StoreCorruptException e =
        assertThrows(StoreCorruptException.class, () -> JsonPairingStore.open(store()));
    assertEquals(manifest.toString(), e.location());
    assertEquals(StoreProblem.Kind.TRUNCATED, JsonPairingStore.check(store()).get(0).kind());
  }

  @Test
  void deletedManifest_withDevicesPresent_isNotMistakenForANewStore() throws Exception {
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(GOOD, 1, "x")));
    }
    Files.delete(store().resolve("store.json"));
    StoreCorruptException e =
        assertThrows(StoreCorruptException.class, () -> JsonPairingStore.open(store()));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
    assertFalse(Files.exists(store().resolve("store.json")), "must not recreate it");
  }

  @Test
  void fileInTheWrongShardDirectory_isMisplaced() throws Exception {
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(GOOD, 1, "x")));
    }
    Path f = fileOf(GOOD);
    String wrongShard = GOOD.deviceId().value().startsWith("00") ? "01" : "00";
    Path moved = store().resolve("devices").resolve(wrongShard).resolve(f.getFileName());
    Files.createDirectories(moved.getParent());
    Files.move(f, moved);
    assertThrows(StoreCorruptException.class, () -> JsonPairingStore.open(store()));
    List<StoreProblem> problems = JsonPairingStore.check(store());
    assertEquals(StoreProblem.Kind.MISPLACED, problems.get(0).kind());
    assertEquals(moved, problems.get(0).file());
  }

  @Test
  void strayFiles_areReportedByCheck_butDoNotBlockOpening() throws Exception {
    JsonPairingStore.open(store()).close();
    Path stray = store().resolve("devices").resolve("ab").resolve("notes.txt");
    Files.createDirectories(stray.getParent());
    Files.writeString(stray, "hello");
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      List<StoreProblem> problems = s.check();
      assertEquals(1, problems.size());
      assertEquals(StoreProblem.Kind.UNEXPECTED_FILE, problems.get(0).kind());
      assertFalse(problems.get(0).kind().affectsData());
    }
  }

  @Test
  void leftoverTempFilesOfDeadWriters_areRemovedAtOpen_andNeverRead() throws Exception {
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(GOOD, 1, "x")));
    }
    Path f = fileOf(GOOD);
    Path temp = Fs.tempFor(f);
    Files.writeString(temp, "{\"half\": "); // a writer died before its rename
    try (JsonPairingStore s = JsonPairingStore.open(store())) {
      assertFalse(Files.exists(temp));
      assertEquals("x", s.load(GOOD.deviceId()).orElseThrow().paired().label());
    }
  }

  @Test
  void quarantine_refusesFilesOutsideTheDevicesDirectory() {
    JsonPairingStore.open(store()).close();
    assertThrows(RuntimeException.class,
        () -> JsonPairingStore.quarantine(store(), store().resolve("store.json")));
    assertTrue(Files.exists(store().resolve("store.json")));
  }
}
