package io.pairgate.store.json;

import static io.pairgate.testkit.SampleRecords.keyPair;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.StoreCorruptException;
import io.pairgate.StoreException;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files (issue 14 item 7): the store refuses a directory another user owns or could write, and
 * never follows a symbolic link planted in place of its records, journal, lock or manifest. Each
 * test plants the input and checks the typed refusal and that nothing was written — neither in the
 * store nor in the victim a link points to.
 */
class FileSecurityTest {
  @TempDir Path tmp;

  private static final DeviceKeyPair A = keyPair("file-security-a");
  private static final int NOBODY = 65534;

  @BeforeEach
  void posixOnly() {
    boolean posix = Fs.posix();
    if (!posix) {
      System.out.println("SKIP FileSecurityTest: not a POSIX file system; modes and owners do not"
          + " apply");
    }
    Assumptions.assumeTrue(posix, "POSIX file system");
  }

  private Path store(String name) {
    Path dir = tmp.resolve(name);
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(A, 1, "a")));
    }
    return dir;
  }

  private static Path deviceFile(Path dir) {
    String id = A.deviceId().value();
    return dir.resolve("devices").resolve(id.substring(0, 2)).resolve(id + ".json");
  }

  /** Every entry under {@code dir} (links as links) with its content, mode and mtime. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        String what;
        if (Files.isSymbolicLink(p)) {
          what = "link -> " + Files.readSymbolicLink(p);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          what = "dir " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } else {
          what = PosixFilePermissions.toString(Files.getPosixFilePermissions(p)) + " "
              + Files.getLastModifiedTime(p) + " "
              + java.util.HexFormat.of().formatHex(Files.readAllBytes(p));
        }
        out.put(dir.relativize(p).toString(), what);
      }
    }
    return out;
  }

  /** A file outside the store that a planted link points to. */
  private Path victim(String name) throws IOException {
    Path v = tmp.resolve("victim-" + name);
    Files.writeString(v, "precious content that is not the store's");
    Files.setPosixFilePermissions(v, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setLastModifiedTime(v, FileTime.fromMillis(1_000_000_000_000L));
    return v;
  }

  private static String stateOf(Path victim) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)) + " "
        + Files.getLastModifiedTime(victim) + " " + Files.readString(victim);
  }

  // ---------------------------------------------------------------------------------------------
  // the store directory

  @ParameterizedTest
  @ValueSource(strings = {"rwxrwx---", "rwx-w----", "rwxrwxrwx", "rwx---rwx"})
  void directoryWritableByGroupOrOthers_isRefused_andNothingIsWritten(String mode)
      throws Exception {
    Path dir = store("wide-" + mode);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
    Map<String, String> before = snapshot(dir);
    StoreInsecureException rw =
        assertThrows(StoreInsecureException.class, () -> JsonPairingStore.open(dir));
    assertEquals(StoreInsecureException.Reason.WRITABLE_BY_OTHERS, rw.reason());
    assertEquals(dir.toAbsolutePath().normalize(), rw.path());
    assertTrue(rw.getMessage().contains("chmod 700"), rw.getMessage());
    assertFalse(rw.retryable());
    assertThrows(StoreInsecureException.class,
        () -> JsonPairingStore.builder(dir).readOnly().open());
    assertThrows(StoreInsecureException.class, () -> JsonPairingStore.check(dir));
    assertEquals(before, snapshot(dir), "nothing was written");
    // the operator's fix makes it open again
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      assertTrue(s.load(A.deviceId()).isPresent());
    }
  }

  @Test
  void newDirectoryInsideAWorldWritableParent_isCreatedPrivate() throws Exception {
    Path parent = tmp.resolve("shared");
    Files.createDirectories(parent);
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (JsonPairingStore s = JsonPairingStore.open(parent.resolve("store"))) {
      assertEquals("rwx------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(parent.resolve("store"))));
    }
  }

  @Test
  void devicesDirectoryWritableByOthers_isRefused() throws Exception {
    Path dir = store("wide-devices");
    Files.setPosixFilePermissions(dir.resolve("devices"),
        PosixFilePermissions.fromString("rwxrwxrwx"));
    Map<String, String> before = snapshot(dir);
    StoreInsecureException e =
        assertThrows(StoreInsecureException.class, () -> JsonPairingStore.open(dir));
    assertEquals(dir.toAbsolutePath().normalize().resolve("devices"), e.path());
    assertEquals(before, snapshot(dir));
  }

  @Test
  void directoryOwnedByAnotherUser_isRefused_andNothingIsWritten() throws Exception {
    Long me = Fs.currentUid();
    if (me == null || me != 0) {
      String why = "SKIP foreign-owner check: changing a directory's owner needs root (this runs"
          + " as uid " + me + "); the check itself runs on every open";
      System.out.println(why);
      Assumptions.assumeTrue(false, why);
    }
    Path dir = store("foreign");
    Files.setAttribute(dir, "unix:uid", NOBODY);
    Map<String, String> before = snapshot(dir);
    StoreInsecureException e =
        assertThrows(StoreInsecureException.class, () -> JsonPairingStore.open(dir));
    assertEquals(StoreInsecureException.Reason.FOREIGN_OWNER, e.reason());
    assertTrue(e.getMessage().contains("uid " + NOBODY), e.getMessage());
    assertThrows(StoreInsecureException.class, () -> JsonPairingStore.check(dir));
    assertEquals(before, snapshot(dir), "nothing was written");
    assertEquals(NOBODY, Files.getAttribute(dir, "unix:uid"));
  }

  // ---------------------------------------------------------------------------------------------
  // planted symbolic links

  @Test
  void journalReplacedByALinkToAVictim_isRefused_victimUnchanged() throws Exception {
    Path dir = store("journal-link");
    Path victim = victim("journal");
    String was = stateOf(victim);
    Files.delete(dir.resolve("changes.journal"));
    Files.createSymbolicLink(dir.resolve("changes.journal"), victim);
    StoreInsecureException e =
        assertThrows(StoreInsecureException.class, () -> JsonPairingStore.open(dir));
    assertEquals(StoreInsecureException.Reason.SYMLINK, e.reason());
    assertEquals(was, stateOf(victim), "the victim was truncated or chmod-ed");
    assertThrows(StoreInsecureException.class,
        () -> JsonPairingStore.builder(dir).readOnly().open());
    assertEquals(was, stateOf(victim));
  }

  @Test
  void lockReplacedByALinkToAVictim_isRefused_victimUnchanged() throws Exception {
    Path dir = store("lock-link");
    Path victim = victim("lock");
    String was = stateOf(victim);
    Files.delete(dir.resolve(".lock"));
    Files.createSymbolicLink(dir.resolve(".lock"), victim);
    StoreInsecureException e =
        assertThrows(StoreInsecureException.class, () -> JsonPairingStore.open(dir));
    assertEquals(StoreInsecureException.Reason.SYMLINK, e.reason());
    assertThrows(StoreException.class,
        () -> JsonPairingStore.quarantine(dir, deviceFile(dir)));
    assertEquals(was, stateOf(victim));
    assertTrue(Files.exists(deviceFile(dir)), "nothing was quarantined");
  }

  @Test
  void manifestReplacedByALink_isRefused() throws Exception {
    Path dir = store("manifest-link");
    Path victim = tmp.resolve("victim-manifest");
    Files.copy(dir.resolve("store.json"), victim);
    Files.delete(dir.resolve("store.json"));
    Files.createSymbolicLink(dir.resolve("store.json"), victim);
    String was = stateOf(victim);
    assertThrows(StoreInsecureException.class, () -> JsonPairingStore.open(dir));
    assertEquals(was, stateOf(victim));
  }

  @Test
  void deviceFileReplacedByALink_isRefused_neverReadNorWrittenThrough() throws Exception {
    Path dir = store("device-link");
    Path victim = tmp.resolve("victim-device");
    // the victim even holds a valid record: following the link would "work"
    Files.copy(deviceFile(dir), victim);
    Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r--r--"));
    String was = stateOf(victim);
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      DeviceRecord r = s.load(A.deviceId()).orElseThrow();
      Files.delete(deviceFile(dir));
      Files.createSymbolicLink(deviceFile(dir), victim);
      // an open store: the change reads the file inside the lock, sees the link, and refuses
      StoreInsecureException e = assertThrows(StoreInsecureException.class,
          () -> s.compareAndSet(r.version(), SampleRecords.relabelled(r, r.version() + 1, "b")));
      assertEquals(StoreInsecureException.Reason.SYMLINK, e.reason());
      assertEquals(deviceFile(dir), e.path());
    }
    assertTrue(Files.isSymbolicLink(deviceFile(dir)), "the link itself was not replaced");
    assertEquals(was, stateOf(victim), "the victim was written through the link");
    // a new open refuses the store, naming the file; read-only opens and throws on the device
    StoreCorruptException open =
        assertThrows(StoreCorruptException.class, () -> JsonPairingStore.open(dir));
    assertTrue(open.getMessage().contains("symbolic link"), open.getMessage());
    try (JsonPairingStore ro = JsonPairingStore.builder(dir).readOnly().open()) {
      assertThrows(StoreInsecureException.class, () -> ro.load(A.deviceId()));
    }
    List<StoreProblem> problems = JsonPairingStore.check(dir);
    assertEquals(1, problems.size(), problems.toString());
    assertEquals(StoreProblem.Kind.UNREADABLE, problems.get(0).kind());
    assertEquals(was, stateOf(victim));
    // the operator's way out: quarantine moves the link itself aside, never its target
    Path moved = JsonPairingStore.quarantine(dir, deviceFile(dir));
    assertTrue(Files.isSymbolicLink(moved));
    assertEquals(was, stateOf(victim));
    try (JsonPairingStore s = JsonPairingStore.open(dir)) {
      assertTrue(s.load(A.deviceId()).isEmpty());
    }
  }

  @Test
  void shardDirectoryReplacedByALink_isRefused() throws Exception {
    Path dir = store("shard-link");
    Path shard = deviceFile(dir).getParent();
    Path elsewhere = tmp.resolve("elsewhere");
    Files.move(shard, elsewhere);
    Files.createSymbolicLink(shard, elsewhere);
    Map<String, String> before = snapshot(elsewhere);
    assertThrows(StoreCorruptException.class, () -> JsonPairingStore.open(dir));
    assertEquals(before, snapshot(elsewhere));
  }

  @Test
  void healthyStore_hasOwnerOnlyModes() throws Exception {
    Path dir = store("modes");
    for (Path p : List.of(dir, dir.resolve("devices"), deviceFile(dir).getParent())) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
    }
    for (Path p : List.of(dir.resolve("store.json"), dir.resolve(".lock"),
        dir.resolve("changes.journal"), deviceFile(dir))) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
    }
    assertArrayEquals(Files.readAllBytes(deviceFile(dir)), Fs.readIfExists(deviceFile(dir)));
  }
}
