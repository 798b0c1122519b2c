package io.pairgate.store.json;

import io.pairgate.RequestId;
import static io.pairgate.testkit.SampleRecords.keyPair;
import static io.pairgate.testkit.SampleRecords.requestId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.StoreException;
import io.pairgate.UpgradeReason;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PendingCount;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.testkit.SampleRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Format, durability mechanics, multi-handle visibility and touch coalescing of the JSON store. */
class JsonPairingStoreTest {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("store");
  }

  /** A record exercising sub-millisecond and pre-epoch instants, nulls and empty strings. */
  static DeviceRecord oddRecord(DeviceKeyPair k) {
    Instant nanos = Instant.ofEpochSecond(1_700_000_000L, 123_456_789);
    Instant micros = Instant.ofEpochSecond(1_700_000_001L, 5_000);
    Instant preEpoch = Instant.ofEpochSecond(-86_400L, 1);
    DeviceToken t = new DeviceToken(Role.OPERATOR, ScopeSet.empty(), io.pairgate.TokenHash.of(""), nanos, Instant.MIN,
        Instant.MAX, Instant.ofEpochSecond(Long.MAX_VALUE / 1000, 999_999_999));
    PairedDevice p = new PairedDevice(k.deviceId(), k.publicKey(), List.of(), ScopeSet.empty(),
        ClientInfo.unknown(), "", Map.of(Role.OPERATOR, t), preEpoch, micros, null, "", "");
    PendingRequest q = new PendingRequest(requestId("odd"), k.deviceId(), k.publicKey(),
        Role.NODE, List.of(Role.NODE), ScopeSet.empty(),
        new ClientInfo("c\"li\\", "mode\n", "pläτform", "fam\u0001", "📱 \u2028", "v"), "",
        nanos, nanos, Instant.ofEpochMilli(Long.MAX_VALUE / 4), false,
        UpgradeReason.METADATA_UPGRADE);
    return new DeviceRecord(k.deviceId(), 41, p, q, false,
        List.of(new ResolvedRequest(requestId("odd-r"), ResolvedRequest.Resolution.EXPIRED, null,
            preEpoch)));
  }

  @Test
  void everyField_roundTripsExactly_acrossReopen_includingNanosNullsAndOddStrings() {
    DeviceKeyPair a = keyPair("rt-a");
    DeviceKeyPair b = keyPair("rt-b");
    DeviceRecord full = SampleRecords.full(a, 1, "rt", true);
    DeviceRecord odd = new DeviceRecord(b.deviceId(), 1, oddRecord(b).paired(),
        oddRecord(b).pending(), false, oddRecord(b).resolved());
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertTrue(s.compareAndSet(0, full));
      assertTrue(s.compareAndSet(0, odd));
    }
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertEquals(Optional.of(full), s.load(a.deviceId()));
      assertEquals(Optional.of(odd), s.load(b.deviceId()));
      assertEquals(Optional.of(odd), s.findByRequestId(requestId("odd-r")));
    }
  }

  @Test
  void files_haveFormatEnvelope_sortedKeys_andOwnerOnlyPermissions() throws Exception {
    DeviceKeyPair k = keyPair("fmt");
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertTrue(s.compareAndSet(0, SampleRecords.full(k, 1, "fmt", false)));
    }
    Path file = dir().resolve("devices").resolve(k.deviceId().value().substring(0, 2))
        .resolve(k.deviceId().value() + ".json");
    JsonMapper m = JsonMapper.builder().build();
    JsonNode manifest = m.readTree(Files.readAllBytes(dir().resolve("store.json")));
    assertEquals("pairgate-json-store", manifest.get("format").stringValue());
    assertEquals(Layout.FORMAT_VERSION, manifest.get("formatVersion").intValue());
    JsonNode device = m.readTree(Files.readAllBytes(file));
    assertEquals("pairgate-device", device.get("format").stringValue());
    assertEquals(Layout.FORMAT_VERSION, device.get("formatVersion").intValue());
    assertEquals(1, device.get("version").intValue());
    assertSortedKeys(device, "");
    assertSortedKeys(manifest, "");
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("}\n"), "one JSON document per file, newline-terminated");
    assertTrue(text.contains("\n  \"blocked\": false,\n"), "two-space indented, one key a line");

    assumeTrue(Fs.posix(), "POSIX permissions");
    for (Path f : List.of(file, dir().resolve("store.json"), dir().resolve(".lock"),
        dir().resolve("changes.journal"))) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)),
          f.toString());
    }
    for (Path d : List.of(dir(), dir().resolve("devices"), file.getParent())) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)),
          d.toString());
    }
  }

  private static void assertSortedKeys(JsonNode n, String path) {
    if (n.isObject()) {
      String prev = null;
      for (String k : n.propertyNames()) {
        assertTrue(prev == null || prev.compareTo(k) < 0,
            "keys not sorted at " + path + ": " + prev + " before " + k);
        prev = k;
        assertSortedKeys(n.get(k), path + "." + k);
      }
    } else if (n.isArray()) {
      Iterator<JsonNode> it = n.iterator();
      for (int i = 0; it.hasNext(); i++) {
        assertSortedKeys(it.next(), path + "[" + i + "]");
      }
    }
  }

  @Test
  void newerManifestFormatVersion_isRejectedWithTypedError() throws Exception {
    JsonPairingStore.open(dir()).close();
    Path manifest = dir().resolve("store.json");
    Files.writeString(manifest, Files.readString(manifest)
        .replace("\"formatVersion\": " + Layout.FORMAT_VERSION,
            "\"formatVersion\": " + (Layout.FORMAT_VERSION + 1)));
    StoreFormatException e =
        assertThrows(StoreFormatException.class, () -> JsonPairingStore.open(dir()));
    assertEquals(manifest.toString(), e.location());
    assertEquals(Layout.FORMAT_VERSION + 1, e.foundVersion());
    assertEquals(Layout.FORMAT_VERSION, e.supportedVersion());
    assertTrue(e.getMessage().contains("newer Pairgate"), e.getMessage());
    assertFalse(e.retryable());
    assertThrows(StoreFormatException.class,
        () -> JsonPairingStore.builder(dir()).readOnly().open());
  }

  @Test
  void readWriteOpen_refusesForeignDirectories_insteadOfScribblingIntoThem() throws Exception {
    Path foreign = tmp.resolve("home");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    StoreException e = assertThrows(StoreException.class, () -> JsonPairingStore.open(foreign));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    assertFalse(Files.exists(foreign.resolve("store.json")));

    Path openclaw = tmp.resolve("openclaw-state");
    Files.createDirectories(openclaw.resolve("devices"));
    Files.writeString(openclaw.resolve("devices").resolve("paired.json"), "{}");
    e = assertThrows(StoreException.class, () -> JsonPairingStore.open(openclaw));
    assertTrue(e.getMessage().contains("OpenClawFiles.importInto"), e.getMessage());
  }

  @Test
  void countPending_isAnsweredFromTheIndex_afterReopenAndAcrossHandles() {
    String addr = "198.51.100.9";
    DeviceKeyPair a = keyPair("count-a");
    DeviceKeyPair b = keyPair("count-b");
    Instant bExpires = Instant.ofEpochSecond(1_700_000_100L, 500); // sub-millisecond
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertTrue(s.compareAndSet(0, SampleRecords.pendingFrom(a, 1, requestId("count-a"), addr,
          SampleRecords.at(300_000))));
      assertTrue(s.compareAndSet(0, SampleRecords.pendingFrom(b, 1, requestId("count-b"), addr,
          bExpires)));
      assertTrue(s.compareAndSet(0, SampleRecords.paired(keyPair("count-c"), 1, "c")));
    }
    try (JsonPairingStore s = JsonPairingStore.open(dir());
        JsonPairingStore other = JsonPairingStore.open(dir())) {
      Instant now = SampleRecords.at(50_000);
      assertEquals(new PendingCount(2, 2), s.countPending(addr, now), "from the streaming scan");
      assertEquals(new PendingCount(1, 1), s.countPending(addr, bExpires));
      assertEquals(new PendingCount(2, 2), s.countPending(addr, bExpires.minusNanos(1)));
      assertTrue(other.compareAndSet(1, new DeviceRecord(a.deviceId(), 2, null, null, true,
          List.of())));
      assertEquals(new PendingCount(1, 1), s.countPending(addr, now), "follows other handles");
      assertEquals(new PendingCount(1, 0), s.countPending("203.0.113.1", now));
    }
  }

  @Test
  void emptyNext_deletesTheDeviceFile() {
    DeviceKeyPair k = keyPair("del");
    Path file = dir().resolve("devices").resolve(k.deviceId().value().substring(0, 2))
        .resolve(k.deviceId().value() + ".json");
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(k, 1, "x")));
      assertTrue(Files.exists(file));
      assertTrue(s.compareAndSet(1, new DeviceRecord(k.deviceId(), 2, null, null, false,
          List.of())));
      assertFalse(Files.exists(file));
    }
  }

  @Test
  void touch_isKeptInMemory_andWrittenOnlyByFlush_withoutBumpingTheVersion() throws Exception {
    DeviceKeyPair k = keyPair("touch");
    DeviceRecord v1 = SampleRecords.paired(k, 1, "t");
    Path file = deviceFile(k.deviceId());
    try (JsonPairingStore s = JsonPairingStore.builder(dir())
            .touchFlushInterval(Duration.ofHours(1)).open();
        JsonPairingStore other = JsonPairingStore.open(dir())) {
      assertTrue(s.compareAndSet(0, v1));
      byte[] before = Files.readAllBytes(file);
      Instant at = SampleRecords.at(120_000);
      s.touch(k.deviceId(), Role.OPERATOR, at);
      assertArrayEquals(before, Files.readAllBytes(file), "touch must not write");
      DeviceRecord seen = s.load(k.deviceId()).orElseThrow();
      assertEquals(at, seen.paired().lastSeenAt());
      assertEquals(at, seen.paired().token(Role.OPERATOR).lastUsedAt());
      assertEquals(1, seen.version());
      assertEquals(Optional.of(v1), other.load(k.deviceId()), "not yet written");

      s.flush();
      assertNotEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
      DeviceRecord written = other.load(k.deviceId()).orElseThrow();
      assertEquals(seen, written, "the other handle sees the flushed times");
      assertEquals(1, written.version(), "a flush never bumps the version");
      assertTrue(other.compareAndSet(1, SampleRecords.relabelled(v1, 2, "after")));
    }
  }

  @Test
  void touchFlush_rereadsUnderTheLock_andNeverUndoesAnotherHandlesChange() {
    DeviceKeyPair k = keyPair("touch-race");
    DeviceRecord v1 = SampleRecords.paired(k, 1, "v1");
    try (JsonPairingStore a = JsonPairingStore.builder(dir())
            .touchFlushInterval(Duration.ofHours(1)).open();
        JsonPairingStore b = JsonPairingStore.open(dir())) {
      assertTrue(a.compareAndSet(0, v1));
      a.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(77_000));
      DeviceRecord v2 = SampleRecords.relabelled(v1, 2, "changed-by-b");
      assertTrue(b.compareAndSet(1, v2));
      a.flush();
      DeviceRecord now = b.load(k.deviceId()).orElseThrow();
      assertEquals(2, now.version());
      assertEquals("changed-by-b", now.paired().label());
      assertEquals(SampleRecords.at(77_000), now.paired().lastSeenAt());
    }
  }

  @Test
  void close_flushesTouches() {
    DeviceKeyPair k = keyPair("touch-close");
    try (JsonPairingStore s = JsonPairingStore.builder(dir())
        .touchFlushInterval(Duration.ofHours(1)).open()) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(k, 1, "c")));
      s.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(5_000));
    }
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertEquals(SampleRecords.at(5_000), s.load(k.deviceId()).orElseThrow().paired()
          .lastSeenAt());
    }
  }

  @Test
  void readOnly_neverWrites() throws Exception {
    DeviceKeyPair k = keyPair("ro");
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertTrue(s.compareAndSet(0, SampleRecords.paired(k, 1, "ro")));
    }
    byte[] before = Files.readAllBytes(deviceFile(k.deviceId()));
    try (JsonPairingStore ro = JsonPairingStore.builder(dir()).readOnly().open()) {
      assertTrue(ro.isReadOnly());
      StoreException e = assertThrows(StoreException.class,
          () -> ro.compareAndSet(1, SampleRecords.paired(k, 2, "no")));
      assertTrue(e.getMessage().contains("read-only"), e.getMessage());
      ro.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(9));
      assertEquals(1, ro.load(k.deviceId()).orElseThrow().version());
    }
    assertArrayEquals(before, Files.readAllBytes(deviceFile(k.deviceId())));
    assertThrows(StoreException.class,
        () -> JsonPairingStore.builder(tmp.resolve("nothing-here")).readOnly().open());
  }

  @Test
  void readOnlyHandle_seesLaterChangesOfAWriter() {
    DeviceKeyPair k = keyPair("ro-follow");
    try (JsonPairingStore w = JsonPairingStore.open(dir());
        JsonPairingStore ro = JsonPairingStore.builder(dir()).readOnly().open()) {
      assertEquals(Optional.empty(), ro.load(k.deviceId()));
      DeviceRecord r = SampleRecords.pending(k, 1, requestId("ro-follow"));
      assertTrue(w.compareAndSet(0, r));
      assertEquals(Optional.of(r), ro.load(k.deviceId()));
      assertEquals(Optional.of(r), ro.findByRequestId(requestId("ro-follow")));
    }
  }

  @Test
  void closedStore_refusesOperations() {
    JsonPairingStore s = JsonPairingStore.open(dir());
    s.close();
    s.close(); // idempotent
    DeviceKeyPair k = keyPair("closed");
    assertThrows(StoreException.class, () -> s.load(k.deviceId()));
    assertThrows(StoreException.class, () -> s.compareAndSet(0, SampleRecords.paired(k, 1, "x")));
  }

  @Test
  void journalOverrun_makesTheLaggingHandleRescan_andStayCorrect() {
    try (JsonPairingStore a = JsonPairingStore.builder(dir()).journalSlots(4).open();
        JsonPairingStore b = JsonPairingStore.open(dir())) {
      List<DeviceRecord> written = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        DeviceRecord r = SampleRecords.pending(keyPair("overrun-" + i), 1,
            requestId("overrun-" + i));
        assertTrue(b.compareAndSet(0, r));
        written.add(r);
      }
      for (DeviceRecord r : written) {
        assertEquals(Optional.of(r), a.findByRequestId(r.pending().requestId()));
      }
      assertEquals(20, a.list("", 100).size());
      // And a's own writes keep working after the rescan.
      DeviceRecord first = written.get(0);
      assertTrue(a.compareAndSet(1, new DeviceRecord(first.deviceId(), 2, null, null, true,
          List.of())));
      assertTrue(b.load(first.deviceId()).orElseThrow().blocked());
    }
  }

  @Test
  void writerKilledMidChange_isNotCachedByReaders_andIsRepairedByTheNextWriter()
      throws Exception {
    DeviceKeyPair k = keyPair("half-way");
    DeviceRecord v1 = SampleRecords.paired(k, 1, "v1");
    DeviceRecord v2 = SampleRecords.relabelled(v1, 2, "v2-by-dead-writer");
    try (JsonPairingStore a = JsonPairingStore.open(dir());
        JsonPairingStore b = JsonPairingStore.open(dir())) {
      assertTrue(a.compareAndSet(0, v1));
      assertEquals(Optional.of(v1), b.load(k.deviceId())); // cached in b
      // A third process announces a change, replaces the file, and dies before "end".
      ChangeJournal dead = ChangeJournal.openForWriting(dir().resolve("changes.journal"), 8);
      dead.begin(k.deviceId().value());
      Fs.writeDurably(deviceFile(k.deviceId()), RecordCodec.encode(v2));
      assertEquals(Optional.of(v2), b.load(k.deviceId()), "in-flight device must be re-read");
      assertEquals(Optional.of(v2), b.load(k.deviceId()));
      DeviceRecord v3 = SampleRecords.relabelled(v2, 3, "v3");
      assertTrue(a.compareAndSet(2, v3), "the next writer sees the dead writer's file");
      assertEquals(Optional.of(v3), b.load(k.deviceId()));
      assertEquals(dead.committed(), dead.inFlight(), "the next writer repaired the counters");
    }
  }

  @Test
  @SuppressWarnings("try") // the lock guard is held for its block
  void lockHeldTooLong_timesOutWithRetryableError() throws Exception {
    DeviceKeyPair k = keyPair("lock-timeout");
    try (JsonPairingStore s = JsonPairingStore.builder(dir())
        .lockTimeout(Duration.ofMillis(200)).open();
        StoreLock other = StoreLock.of(dir().resolve(".lock"))) {
      CountDownLatch held = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Thread holder = new Thread(() -> {
        try (StoreLock.Held h = other.acquire(Duration.ofSeconds(5))) {
          held.countDown();
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      holder.start();
      held.await();
      try {
        StoreException e = assertThrows(StoreException.class,
            () -> s.compareAndSet(0, SampleRecords.paired(k, 1, "x")));
        assertTrue(e.retryable());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
      } finally {
        release.countDown();
        holder.join();
      }
      assertTrue(s.compareAndSet(0, SampleRecords.paired(k, 1, "x")), "works once released");
    }
  }

  @Test
  void concurrentFirstOpens_createOneStore() throws Exception {
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> ts = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int i = 0; i < 4; i++) {
      int n = i;
      ts.add(new Thread(() -> {
        try {
          go.await();
          try (JsonPairingStore s = JsonPairingStore.open(dir())) {
            assertTrue(s.compareAndSet(0, SampleRecords.paired(keyPair("first-" + n), 1, "f")));
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }));
    }
    ts.forEach(Thread::start);
    go.countDown();
    for (Thread t : ts) {
      t.join();
    }
    assertEquals(List.of(), errors);
    try (JsonPairingStore s = JsonPairingStore.open(dir())) {
      assertEquals(4, s.list("", 10).size());
      assertEquals(List.of(), s.check());
    }
  }

  @Test
  void open_scansManyDevices_inParallel_intoACompleteIndex() throws Exception {
    JsonPairingStore.open(dir()).close();
    Layout layout = new Layout(dir());
    List<DeviceRecord> all = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      DeviceKeyPair k = keyPair("many-" + i);
      DeviceRecord r = i % 2 == 0
          ? SampleRecords.pending(k, 3, requestId("many-" + i))
          : SampleRecords.full(k, 7, "many-" + i, false);
      Path f = layout.deviceFile(k.deviceId().value());
      Files.createDirectories(f.getParent());
      Files.write(f, RecordCodec.encode(r)); // fixture: durability is not under test here
      all.add(r);
    }
    for (int threads : new int[] {1, 4}) {
      try (JsonPairingStore s = JsonPairingStore.builder(dir()).scanThreads(threads).open()) {
        for (DeviceRecord r : all) {
          for (RequestId id : r.requestIds()) {
            assertEquals(r.deviceId(), s.findByRequestId(id).orElseThrow().deviceId());
          }
        }
        List<DeviceRecord> listed = new ArrayList<>();
        String after = "";
        List<DeviceRecord> page;
        while (!(page = s.list(after, 500)).isEmpty()) {
          listed.addAll(page);
          after = page.get(page.size() - 1).deviceId().value();
        }
        assertEquals(all.size(), listed.size());
      }
    }
  }

  private Path deviceFile(DeviceId id) {
    return new Layout(dir()).deviceFile(id.value());
  }
}
