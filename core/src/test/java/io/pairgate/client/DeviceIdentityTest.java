package io.pairgate.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.ErrorCode;
import io.pairgate.client.IdentityFileException.Problem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceIdentityTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T10:15:30Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  static DeviceKeyPair seedKey(int first) {
    byte[] seed = new byte[32];
    for (int i = 0; i < 32; i++) {
      seed[i] = (byte) (first + i);
    }
    return DeviceKeyPair.fromSeed(seed);
  }

  @Test
  void roundTripKeepsKeysIdAndCreationTime() {
    DeviceIdentity id = DeviceIdentity.generate(CLOCK);
    Path file = dir.resolve("identity/device.json");
    id.save(file);
    DeviceIdentity back = DeviceIdentity.load(file);
    assertEquals(id, back);
    assertEquals(id.deviceId(), back.deviceId());
    assertArrayEquals(id.keyPair().seed(), back.keyPair().seed());
    assertEquals(CLOCK.instant(), back.createdAt());
    assertFalse(back.toString().contains(new String(id.keyPair().seed(), StandardCharsets.ISO_8859_1)));
  }

  @Test
  void knownVectorSeed0To31DerivesOpenClawsDeviceId() throws Exception {
    DeviceIdentity id = DeviceIdentity.of(seedKey(0), CLOCK.instant());
    Path file = dir.resolve("device.json");
    id.save(file);
    String text = Files.readString(file);
    assertTrue(text.contains(
        "\"deviceId\": \"56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c\""), text);
    assertTrue(text.contains("\"version\": 1"), text);
    assertEquals(id, DeviceIdentity.load(file));
  }

  @Test
  void filesAreOwnerOnlyOnPosix() throws Exception {
    Path sub = dir.resolve("state/identity");
    Path file = sub.resolve("device.json");
    DeviceIdentity.loadOrCreate(file, CLOCK);
    if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sub)));
    assertEquals("rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("state"))));
    try (Stream<Path> s = Files.list(sub)) {
      assertEquals(List.of(file), s.toList(), "no temporary files left behind");
    }
  }

  @Test
  void loadOrCreateCreatesOnceThenLoads() {
    Path file = dir.resolve("device.json");
    DeviceIdentity first = DeviceIdentity.loadOrCreate(file, CLOCK);
    DeviceIdentity second = DeviceIdentity.loadOrCreate(file, CLOCK);
    assertEquals(first, second);
  }

  @Test
  void missingFileIsATypedIoErrorForLoad() {
    Path file = dir.resolve("absent.json");
    IdentityFileException e = assertThrows(IdentityFileException.class, () -> DeviceIdentity.load(file));
    assertEquals(Problem.IO, e.problem());
    assertEquals(ErrorCode.STORE_FAILURE, e.code());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertFalse(Files.exists(file));
  }

  static Stream<Arguments> corruptions() {
    List<Arguments> out = new ArrayList<>();
    out.add(Arguments.of("truncated", Problem.TRUNCATED,
        (UnaryOperator<String>) s -> s.substring(0, s.length() / 2)));
    out.add(Arguments.of("empty", Problem.TRUNCATED, (UnaryOperator<String>) s -> ""));
    out.add(Arguments.of("unparsable", Problem.UNPARSABLE,
        (UnaryOperator<String>) s -> s.replace("\"version\":", "\"version\"")));
    out.add(Arguments.of("not an object", Problem.UNPARSABLE, (UnaryOperator<String>) s -> "[]"));
    out.add(Arguments.of("trailing garbage", Problem.UNPARSABLE,
        (UnaryOperator<String>) s -> s + "}"));
    out.add(Arguments.of("wrong version", Problem.UNSUPPORTED_VERSION,
        (UnaryOperator<String>) s -> s.replace("\"version\": 1", "\"version\": 2")));
    out.add(Arguments.of("wrong format", Problem.UNSUPPORTED_VERSION,
        (UnaryOperator<String>) s -> s.replace("pairgate-device-identity", "openclaw")));
    out.add(Arguments.of("mismatched id", Problem.ID_MISMATCH,
        (UnaryOperator<String>) s -> s.replace("\"deviceId\": \"5", "\"deviceId\": \"6")));
    out.add(Arguments.of("short public key", Problem.KEY_INVALID,
        (UnaryOperator<String>) s -> s.replaceFirst("\"publicKey\": \"(.{40}).*\"", "\"publicKey\": \"$1\"")));
    out.add(Arguments.of("long private key", Problem.KEY_INVALID,
        (UnaryOperator<String>) s -> s.replaceFirst("\"privateKey\": \"(.*)\"", "\"privateKey\": \"$1AAAA\"")));
    out.add(Arguments.of("private key of another device", Problem.KEY_INVALID,
        (UnaryOperator<String>) s -> s.replaceFirst("\"privateKey\": \"[^\"]*\"",
            "\"privateKey\": \"" + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(seedKey(7).seed()) + "\"")));
    out.add(Arguments.of("missing device id", Problem.UNPARSABLE,
        (UnaryOperator<String>) s -> s.replaceFirst("\"deviceId\": \"[0-9a-f]*\",", "")));
    out.add(Arguments.of("bad creation time", Problem.UNPARSABLE,
        (UnaryOperator<String>) s -> s.replace("2026-11-21T10:15:30Z", "yesterday")));
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void corruptFileFailsTypedAndIsLeftUntouched(
      String name, Problem problem, UnaryOperator<String> corrupt) throws Exception {
    Path file = dir.resolve("device.json");
    DeviceIdentity.of(seedKey(0), CLOCK.instant()).save(file);
    Files.writeString(file, corrupt.apply(Files.readString(file)));
    byte[] before = Files.readAllBytes(file);

    IdentityFileException e = assertThrows(IdentityFileException.class, () -> DeviceIdentity.load(file));
    assertEquals(problem, e.problem(), e.getMessage());
    assertEquals(ErrorCode.STORE_CORRUPT, e.code());
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());

    IdentityFileException again = assertThrows(IdentityFileException.class,
        () -> DeviceIdentity.loadOrCreate(file, CLOCK));
    assertEquals(problem, again.problem());
    assertArrayEquals(before, Files.readAllBytes(file), "the file must be left byte-identical");
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(file), s.toList(), "nothing else was written");
    }
  }

  @Test
  void threadsRacingLoadOrCreateAllGetTheSameIdentity() throws Exception {
    Path file = dir.resolve("race/device.json");
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<DeviceIdentity>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return DeviceIdentity.loadOrCreate(file, CLOCK);
        }));
      }
      start.countDown();
      Set<DeviceIdentity> distinct = new HashSet<>();
      for (Future<DeviceIdentity> f : results) {
        distinct.add(f.get());
      }
      assertEquals(1, distinct.size());
      assertEquals(distinct.iterator().next(), DeviceIdentity.load(file));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoProcessesRacingLoadOrCreateEndWithOneIdentity() throws Exception {
    Path file = dir.resolve("shared/device.json");
    Path go = dir.resolve("go");
    List<Process> procs = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try {
      for (int i = 0; i < 2; i++) {
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
            IdentityRaceMain.class.getName(), file.toString(), go.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        procs.add(p);
        outs.add(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (BufferedReader r : outs) {
        assertEquals("ready", r.readLine());
      }
      Files.createFile(go);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        ids.add(outs.get(i).readLine());
        assertTrue(procs.get(i).waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, procs.get(i).exitValue());
      }
      assertEquals(ids.get(0), ids.get(1), "both processes must end with the same identity");
      assertEquals(ids.get(0), DeviceIdentity.load(file).deviceId().value());
      try (Stream<Path> s = Files.list(file.getParent())) {
        assertEquals(List.of(file), s.toList());
      }
    } finally {
      for (Process p : procs) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void saveReplacesAtomically() {
    Path file = dir.resolve("device.json");
    DeviceIdentity a = DeviceIdentity.of(seedKey(1), CLOCK.instant());
    DeviceIdentity b = DeviceIdentity.of(seedKey(2), CLOCK.instant());
    a.save(file);
    b.save(file);
    assertNotEquals(a, b);
    assertEquals(b, DeviceIdentity.load(file));
  }
}
