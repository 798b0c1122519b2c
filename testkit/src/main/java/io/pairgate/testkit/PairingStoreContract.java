package io.pairgate.testkit;

import static io.pairgate.testkit.SampleRecords.keyPair;
import static io.pairgate.testkit.SampleRecords.requestId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.RequestId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.PairedDevice;
import io.pairgate.Role;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.PendingCount;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.spi.ResolvedRequest.Resolution;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance suite for {@link PairingStore} implementations, in the style of the Reactive
 * Streams TCK: implement this interface in a JUnit 5 test class, supply {@link #newStore()}, and
 * every rule of the store SPI is checked by the {@code @Test} methods inherited from here.
 *
 * <pre>{@code
 * class MyStoreContractTest implements PairingStoreContract {
 *   @TempDir Path dir;
 *
 *   public PairingStore newStore() { return MyStore.open(dir.resolve("pairing.db")); }
 *
 *   public boolean supportsReopen() { return true; }
 *   public PairingStore reopen(PairingStore old) { old.close(); return MyStore.open(...same path...); }
 *
 *   public boolean supportsSecondHandle() { return true; }
 *   public PairingStore secondHandle(PairingStore first) { return MyStore.open(...same path...); }
 * }
 * }</pre>
 *
 * <p>Optional capabilities (persistence across a reopen, several handles on one storage) are
 * declared by overriding {@code supportsX()}; tests needing a capability the store does not
 * declare are reported as skipped (a JUnit assumption), not failed. Test names state the rule they
 * check, e.g. {@code compareAndSet_staleVersion_returnsFalseAndChangesNothing}.
 *
 * <p>Every test creates its own store with {@link #newStore()} and closes every handle it opened.
 * Each call to {@code newStore()} must return an empty store that shares nothing with stores
 * returned earlier (use a fresh directory, database or schema per call).
 */
public interface PairingStoreContract {

  /** A new, empty store, independent of every store returned before. */
  PairingStore newStore();

  /**
   * Whether {@link #reopen} is supported, i.e. the store persists its records. Default
   * {@code false}: the persistence tests are skipped.
   */
  default boolean supportsReopen() {
    return false;
  }

  /**
   * Closes {@code old} and opens a new handle on the same underlying storage, as a restarted
   * process would. Only called when {@link #supportsReopen()} is {@code true}.
   */
  default PairingStore reopen(PairingStore old) {
    throw new UnsupportedOperationException("reopen is not supported by this store");
  }

  /**
   * Whether {@link #secondHandle} is supported, i.e. several store objects can share one storage
   * (two processes on one file or database). Default {@code false}: the multi-handle tests are
   * skipped.
   */
  default boolean supportsSecondHandle() {
    return false;
  }

  /**
   * Opens another handle on the storage of {@code first}, leaving {@code first} open. Only called
   * when {@link #supportsSecondHandle()} is {@code true}; the test closes both handles.
   */
  default PairingStore secondHandle(PairingStore first) {
    throw new UnsupportedOperationException("a second handle is not supported by this store");
  }

  /** How many threads the concurrency tests run (default 4). Lower it for very slow stores. */
  default int concurrentWriters() {
    return 4;
  }

  /** How many successful increments each concurrent writer commits (default 50). */
  default int incrementsPerWriter() {
    return 50;
  }

  /**
   * How many random model-based sequences {@link #modelBasedSequences_matchReferenceModel()} runs
   * against this store (default 40; {@code -Dpairgate.cases} overrides it).
   */
  default int modelBasedCases() {
    return 40;
  }

  // ---------------------------------------------------------------------------------------------
  // reading what is not there

  /** load of a device the store never held is empty. */
  @Test
  default void load_unknownDevice_isEmpty() {
    try (PairingStore store = newStore()) {
      assertEquals(Optional.empty(), store.load(keyPair("contract-absent").deviceId()));
    }
  }

  /** findByRequestId of an id no record holds is empty. */
  @Test
  default void findByRequestId_unknownId_isEmpty() {
    try (PairingStore store = newStore()) {
      assertEquals(Optional.empty(), store.findByRequestId(requestId("contract-unknown")));
    }
  }

  /** list of an empty store is empty. */
  @Test
  default void list_emptyStore_isEmpty() {
    try (PairingStore store = newStore()) {
      assertEquals(List.of(), store.list("", 10));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // compare-and-set

  /** compareAndSet with expected version 0 creates the record; load returns it unchanged. */
  @Test
  default void compareAndSet_createWithExpectedVersion0_storesRecord() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-create");
      DeviceRecord r = SampleRecords.paired(k, 1, "first");
      assertTrue(store.compareAndSet(0, r), "create with expected version 0 must succeed");
      assertEquals(Optional.of(r), store.load(k.deviceId()));
    }
  }

  /** Every field of the aggregate survives a store round trip exactly. */
  @Test
  default void compareAndSet_fullRecord_roundTripsEveryField() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair a = keyPair("contract-full-a");
      DeviceKeyPair b = keyPair("contract-full-b");
      DeviceRecord ra = SampleRecords.full(a, 1, "full-a", false);
      DeviceRecord rb = SampleRecords.full(b, 1, "full-b", true);
      assertTrue(store.compareAndSet(0, ra));
      assertTrue(store.compareAndSet(0, rb));
      assertEquals(Optional.of(ra), store.load(a.deviceId()));
      assertEquals(Optional.of(rb), store.load(b.deviceId()));
    }
  }

  /** Records holding only a block flag, or only tombstones, are not empty and are stored. */
  @Test
  default void compareAndSet_blockedOnlyAndTombstoneOnlyRecords_areStored() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair a = keyPair("contract-blocked-only");
      DeviceKeyPair b = keyPair("contract-tombstone-only");
      DeviceRecord blocked = new DeviceRecord(a.deviceId(), 1, null, null, true, List.of());
      RequestId rid = requestId("contract-tombstone-only");
      DeviceRecord tomb = new DeviceRecord(b.deviceId(), 1, null, null, false,
          List.of(new ResolvedRequest(rid, Resolution.REJECTED, null, SampleRecords.at(1))));
      assertTrue(store.compareAndSet(0, blocked));
      assertTrue(store.compareAndSet(0, tomb));
      assertEquals(Optional.of(blocked), store.load(a.deviceId()));
      assertEquals(Optional.of(tomb), store.load(b.deviceId()));
      assertEquals(Optional.of(tomb), store.findByRequestId(rid));
    }
  }

  /** compareAndSet with the current version replaces the record with the next version. */
  @Test
  default void compareAndSet_currentVersion_replacesRecord() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-update");
      DeviceRecord v1 = SampleRecords.paired(k, 1, "v1");
      DeviceRecord v2 = SampleRecords.full(k, 2, "update", false);
      DeviceRecord v3 = SampleRecords.relabelled(v2, 3, "v3");
      assertTrue(store.compareAndSet(0, v1));
      assertTrue(store.compareAndSet(1, v2));
      assertEquals(Optional.of(v2), store.load(k.deviceId()));
      assertTrue(store.compareAndSet(2, v3));
      assertEquals(Optional.of(v3), store.load(k.deviceId()));
    }
  }

  /** A stale expected version makes compareAndSet return false and change nothing. */
  @Test
  default void compareAndSet_staleVersion_returnsFalseAndChangesNothing() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-stale");
      DeviceRecord v1 = SampleRecords.paired(k, 1, "v1");
      DeviceRecord v2 = SampleRecords.relabelled(v1, 2, "v2");
      assertTrue(store.compareAndSet(0, v1));
      assertTrue(store.compareAndSet(1, v2));
      DeviceRecord lostWrite = SampleRecords.full(k, 2, "stale", true);
      assertFalse(store.compareAndSet(1, lostWrite), "expected version 1 is stale (current 2)");
      assertEquals(Optional.of(v2), store.load(k.deviceId()));
      assertEquals(Optional.empty(), store.findByRequestId(requestId("stale/pending")),
          "a failed compareAndSet must not index the request ids of the rejected record");
      assertFalse(store.compareAndSet(0, SampleRecords.paired(k, 1, "recreate")),
          "expected version 0 (absent) conflicts with a stored record");
      assertFalse(store.compareAndSet(6, SampleRecords.relabelled(v1, 7, "future")),
          "an expected version ahead of the stored one conflicts");
      assertEquals(Optional.of(v2), store.load(k.deviceId()));
      assertEquals(List.of(v2), store.list("", 10));
    }
  }

  /** compareAndSet on a device the store does not hold, expecting a version above 0, fails. */
  @Test
  default void compareAndSet_nonZeroExpectedVersionOnAbsentDevice_returnsFalse() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-absent-update");
      assertFalse(store.compareAndSet(3, SampleRecords.paired(k, 4, "ghost")));
      assertEquals(Optional.empty(), store.load(k.deviceId()));
      assertEquals(List.of(), store.list("", 10));
    }
  }

  /**
   * An empty next record deletes the device: load, list and request-id lookup stop finding it, and
   * it can be created again from version 0.
   */
  @Test
  default void compareAndSet_emptyNext_deletesRecord() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-delete");
      DeviceRecord v1 = SampleRecords.full(k, 1, "delete", false);
      assertTrue(store.compareAndSet(0, v1));
      assertTrue(store.compareAndSet(1, new DeviceRecord(k.deviceId(), 2, null, null, false,
          List.of())));
      assertEquals(Optional.empty(), store.load(k.deviceId()));
      assertEquals(List.of(), store.list("", 10));
      for (RequestId id : v1.requestIds()) {
        assertEquals(Optional.empty(), store.findByRequestId(id),
            "request id " + id + " of a deleted record must not resolve");
      }
      DeviceRecord again = SampleRecords.paired(k, 1, "again");
      assertTrue(store.compareAndSet(0, again), "a deleted device is created from version 0");
      assertEquals(Optional.of(again), store.load(k.deviceId()));
    }
  }

  /** An empty record written to a device the store does not hold stores nothing. */
  @Test
  default void compareAndSet_emptyNextOnAbsentDevice_storesNothing() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-empty-create");
      assertTrue(store.compareAndSet(0, new DeviceRecord(k.deviceId(), 1, null, null, false,
          List.of())));
      assertEquals(Optional.empty(), store.load(k.deviceId()));
      assertEquals(List.of(), store.list("", 10));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // request ids

  /** findByRequestId finds the record by its pending request id. */
  @Test
  default void findByRequestId_pendingId_findsRecord() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-find-pending");
      RequestId rid = requestId("contract-find-pending");
      DeviceRecord r = SampleRecords.pending(k, 1, rid);
      assertTrue(store.compareAndSet(0, r));
      assertEquals(Optional.of(r), store.findByRequestId(rid));
    }
  }

  /** findByRequestId finds the record by every remembered (resolved) id, and returns the latest version. */
  @Test
  default void findByRequestId_resolvedIds_findRecordAtLatestVersion() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-find-resolved");
      DeviceKeyPair other = keyPair("contract-find-resolved-other");
      DeviceRecord v1 = SampleRecords.full(k, 1, "find-resolved", false);
      DeviceRecord o1 = SampleRecords.full(other, 1, "find-resolved-other", false);
      assertTrue(store.compareAndSet(0, v1));
      assertTrue(store.compareAndSet(0, o1));
      for (RequestId id : v1.requestIds()) {
        assertEquals(Optional.of(v1), store.findByRequestId(id), "request id " + id);
      }
      DeviceRecord v2 = SampleRecords.relabelled(v1, 2, "v2");
      assertTrue(store.compareAndSet(1, v2));
      for (RequestId id : v1.requestIds()) {
        assertEquals(Optional.of(v2), store.findByRequestId(id), "request id " + id);
      }
      for (RequestId id : o1.requestIds()) {
        assertEquals(Optional.of(o1), store.findByRequestId(id), "request id " + id);
      }
    }
  }

  /** Ids a new version no longer holds stop resolving; ids it adds start resolving. */
  @Test
  default void findByRequestId_idsDroppedFromRecord_stopResolving() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-drop-ids");
      DeviceRecord v1 = SampleRecords.full(k, 1, "drop", false);
      assertTrue(store.compareAndSet(0, v1));
      // Approve-like change: pending becomes a tombstone, the oldest tombstones are pruned.
      RequestId pendingId = v1.pending().requestId();
      List<ResolvedRequest> kept = new ArrayList<>(v1.resolved().subList(2, 4));
      kept.add(new ResolvedRequest(pendingId, Resolution.APPROVED, null, SampleRecords.at(20_000)));
      DeviceRecord v2 = new DeviceRecord(k.deviceId(), 2, v1.paired(), null, false, kept);
      assertTrue(store.compareAndSet(1, v2));
      assertEquals(Optional.of(v2), store.findByRequestId(pendingId));
      for (ResolvedRequest r : v1.resolved().subList(0, 2)) {
        assertEquals(Optional.empty(), store.findByRequestId(r.requestId()),
            "pruned request id " + r.requestId() + " must stop resolving");
      }
      for (ResolvedRequest r : kept) {
        assertEquals(Optional.of(v2), store.findByRequestId(r.requestId()));
      }
      // A new pending id appears.
      RequestId fresh = requestId("drop/fresh");
      DeviceRecord v3 = new DeviceRecord(k.deviceId(), 3, v1.paired(),
          SampleRecords.pendingRequest(k, fresh, "operator.admin"), false, List.of());
      assertTrue(store.compareAndSet(2, v3));
      assertEquals(Optional.of(v3), store.findByRequestId(fresh));
      for (ResolvedRequest r : kept) {
        assertEquals(Optional.empty(), store.findByRequestId(r.requestId()));
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // listing

  /** list returns every record in ascending device-id order, at its latest version. */
  @Test
  default void list_returnsRecordsOrderedByDeviceId() {
    try (PairingStore store = newStore()) {
      List<DeviceRecord> all = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        DeviceKeyPair k = keyPair("contract-list-" + i);
        DeviceRecord r = i % 3 == 0
            ? SampleRecords.full(k, 1, "list-" + i, i % 2 == 0)
            : SampleRecords.paired(k, 1, "n" + i);
        assertTrue(store.compareAndSet(0, r));
        if (i % 4 == 1) {
          r = SampleRecords.relabelled(r, 2, "updated");
          assertTrue(store.compareAndSet(1, r));
        }
        all.add(r);
      }
      all.sort(Comparator.comparing(r -> r.deviceId().value()));
      assertEquals(all, store.list("", 100));
    }
  }

  /** list returns at most {@code limit} records, and paging with afterDeviceId visits each once. */
  @Test
  default void list_pagesWithAfterDeviceIdExclusive() {
    try (PairingStore store = newStore()) {
      List<DeviceRecord> all = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        DeviceRecord r = SampleRecords.paired(keyPair("contract-page-" + i), 1, "p" + i);
        assertTrue(store.compareAndSet(0, r));
        all.add(r);
      }
      all.sort(Comparator.comparing(r -> r.deviceId().value()));
      for (int limit : new int[] {1, 3, 10, 11}) {
        List<DeviceRecord> seen = new ArrayList<>();
        String after = "";
        for (int pages = 0; pages <= 11; pages++) {
          List<DeviceRecord> page = store.list(after, limit);
          assertTrue(page.size() <= limit, "page larger than limit " + limit);
          seen.addAll(page);
          if (page.size() < limit) {
            break;
          }
          after = page.get(page.size() - 1).deviceId().value();
        }
        assertEquals(all, seen, "paging with limit " + limit);
      }
      // afterDeviceId is exclusive, and need not be a stored id.
      String third = all.get(2).deviceId().value();
      assertEquals(all.subList(3, 6), store.list(third, 3));
      String between = third + "0"; // sorts after third, before any longer-prefixed successor
      assertEquals(all.subList(3, 5), store.list(between, 2));
      assertEquals(List.of(), store.list(all.get(9).deviceId().value(), 5));
    }
  }

  /** Deleted records do not appear in list. */
  @Test
  default void list_omitsDeletedRecords() {
    try (PairingStore store = newStore()) {
      DeviceRecord a = SampleRecords.paired(keyPair("contract-list-del-a"), 1, "a");
      DeviceRecord b = SampleRecords.paired(keyPair("contract-list-del-b"), 1, "b");
      assertTrue(store.compareAndSet(0, a));
      assertTrue(store.compareAndSet(0, b));
      assertTrue(store.compareAndSet(1, new DeviceRecord(a.deviceId(), 2, null, null, false,
          List.of())));
      assertEquals(List.of(b), store.list("", 10));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // pending counts (request flood limits)

  /**
   * countPending counts unexpired pending requests, in total and from one client address; an
   * expired request ({@code now} at or after its expiresAt), a paired-only record and an empty
   * address count nothing, and the counts follow compareAndSet changes and deletions.
   */
  @Test
  default void countPending_countsUnexpiredRequestsInTotalAndPerAddress() {
    try (PairingStore store = newStore()) {
      String addr = "198.51.100.23";
      Instant soon = SampleRecords.at(100_000);
      Instant later = SampleRecords.at(300_000);
      DeviceRecord a = SampleRecords.pendingFrom(keyPair("contract-count-a"), 1,
          requestId("count-a"), addr, later);
      DeviceRecord b = SampleRecords.pendingFrom(keyPair("contract-count-b"), 1,
          requestId("count-b"), addr, soon);
      DeviceRecord c = SampleRecords.pendingFrom(keyPair("contract-count-c"), 1,
          requestId("count-c"), "2001:db8::7", later);
      DeviceRecord d = SampleRecords.paired(keyPair("contract-count-d"), 1, "paired only");
      for (DeviceRecord r : List.of(a, b, c, d)) {
        assertTrue(store.compareAndSet(0, r));
      }
      assertEquals(new PendingCount(3, 2), store.countPending(addr, SampleRecords.at(50_000)));
      assertEquals(new PendingCount(3, 1),
          store.countPending("2001:db8::7", SampleRecords.at(50_000)));
      assertEquals(new PendingCount(3, 0), store.countPending("", SampleRecords.at(50_000)));
      assertEquals(new PendingCount(2, 1), store.countPending(addr, soon),
          "a request is expired at its expiresAt");
      assertEquals(new PendingCount(0, 0), store.countPending(addr, later));
      assertTrue(store.compareAndSet(1, new DeviceRecord(a.deviceId(), 2, null, null, false,
          List.of(new ResolvedRequest(requestId("count-a"), Resolution.REJECTED, null,
              SampleRecords.at(60_000))))));
      assertTrue(store.compareAndSet(1, new DeviceRecord(c.deviceId(), 2, null, null, false,
          List.of())));
      assertEquals(new PendingCount(1, 1), store.countPending(addr, SampleRecords.at(60_000)));
    }
  }

  /**
   * countPending by range counts the unexpired pending requests whose client address lies in the
   * range (the service counts IPv6 clients per /64 this way, R12.1), besides the total; an expired
   * request and an address outside the range count nothing.
   */
  @Test
  default void countPending_byRange_countsAddressesInsideTheRange() {
    try (PairingStore store = newStore()) {
      Instant soon = SampleRecords.at(100_000);
      Instant later = SampleRecords.at(300_000);
      List<DeviceRecord> records = List.of(
          SampleRecords.pendingFrom(keyPair("contract-range-a"), 1, requestId("range-a"),
              "2001:db8:1:2::1", later),
          SampleRecords.pendingFrom(keyPair("contract-range-b"), 1, requestId("range-b"),
              "2001:db8:1:2:ffff:ffff:ffff:ffff", later),
          SampleRecords.pendingFrom(keyPair("contract-range-c"), 1, requestId("range-c"),
              "2001:db8:1:3::1", later),
          SampleRecords.pendingFrom(keyPair("contract-range-d"), 1, requestId("range-d"),
              "2001:db8:1:2::9", soon),
          SampleRecords.pendingFrom(keyPair("contract-range-e"), 1, requestId("range-e"),
              "198.51.100.23", later));
      for (DeviceRecord r : records) {
        assertTrue(store.compareAndSet(0, r));
      }
      IpRange slash64 = IpRange.parse("2001:db8:1:2::/64");
      assertEquals(new PendingCount(5, 3), store.countPending(slash64, SampleRecords.at(50_000)));
      assertEquals(new PendingCount(4, 2), store.countPending(slash64, soon),
          "a request is expired at its expiresAt");
      assertEquals(new PendingCount(4, 1),
          store.countPending(IpRange.parse("198.51.100.0/24"), soon));
      assertEquals(new PendingCount(0, 0), store.countPending(slash64, later));
    }
  }

  /**
   * countPending judges expiry exactly as R5.2 does (a request is expired at its expiresAt,
   * inclusive), to the nanosecond, also when the store indexes expiry in milliseconds: requests
   * expiring 1 ns before, exactly at, and 1 ns after {@code now} within the same millisecond, and
   * 1 ms either side, are counted alike by the total, by one address and by an IPv6 range, and the
   * counts agree with the live requests that {@link PairingStore#list} returns.
   */
  @Test
  default void countPending_expiryAtNow_isExpiredToTheNanosecond() {
    try (PairingStore store = newStore()) {
      Instant now = SampleRecords.at(50_000).plusNanos(400_000);
      // address, expiresAt: two live (1 ns and 1 ms after now), three expired (at now, 1 ns and
      // 1 ms before it); the first four lie in one millisecond with now
      List<DeviceRecord> records = List.of(
          SampleRecords.pendingFrom(keyPair("contract-edge-a"), 1, requestId("edge-a"),
              "2001:db8:5:6::1", now),
          SampleRecords.pendingFrom(keyPair("contract-edge-b"), 1, requestId("edge-b"),
              "2001:db8:5:6::2", now.minusNanos(1)),
          SampleRecords.pendingFrom(keyPair("contract-edge-c"), 1, requestId("edge-c"),
              "2001:db8:5:6::3", now.plusNanos(1)),
          SampleRecords.pendingFrom(keyPair("contract-edge-d"), 1, requestId("edge-d"),
              "2001:db8:5:6::4", now.plusMillis(1)),
          SampleRecords.pendingFrom(keyPair("contract-edge-e"), 1, requestId("edge-e"),
              "2001:db8:5:6::5", now.minusMillis(1)),
          SampleRecords.pendingFrom(keyPair("contract-edge-f"), 1, requestId("edge-f"),
              "198.51.100.40", now.plusNanos(599_999)));
      for (DeviceRecord r : records) {
        assertTrue(store.compareAndSet(0, r));
      }
      IpRange slash64 = IpRange.parse("2001:db8:5:6::/64");
      assertEquals(new PendingCount(3, 0), store.countPending("2001:db8:5:6::1", now),
          "a request is expired at exactly its expiresAt");
      assertEquals(new PendingCount(3, 0), store.countPending("2001:db8:5:6::2", now),
          "a request is expired 1 ns after its expiresAt");
      assertEquals(new PendingCount(3, 1), store.countPending("2001:db8:5:6::3", now),
          "a request is live 1 ns before its expiresAt");
      assertEquals(new PendingCount(3, 1), store.countPending("198.51.100.40", now));
      assertEquals(new PendingCount(3, 2), store.countPending(slash64, now),
          "the range count judges expiry exactly, like the total");
      assertEquals(new PendingCount(3, 1),
          store.countPending(IpRange.parse("198.51.100.0/24"), now));
      assertEquals(new PendingCount(2, 1), store.countPending(slash64, now.plusNanos(1)));
      assertEquals(new PendingCount(1, 1), store.countPending(slash64, now.plusNanos(599_999)),
          "at the last nanosecond of the millisecond only the next millisecond's is live");
      for (Instant at : List.of(now.minusMillis(1), now.minusNanos(1), now, now.plusNanos(1),
          now.plusNanos(599_999), now.plusMillis(1))) {
        int live = 0;
        int inRange = 0;
        for (DeviceRecord r : store.list("", 100)) {
          if (r.pending() != null && !r.pending().isExpired(at)) {
            live++;
            if (PendingCount.inRange(slash64, r.pending().remoteAddress())) {
              inRange++;
            }
          }
        }
        assertEquals(new PendingCount(live, inRange), store.countPending(slash64, at),
            "countPending agrees with the live requests list returns at " + at);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // touch

  /** touch never changes a record's version, so a compareAndSet at the old version still succeeds. */
  @Test
  default void touch_neverBumpsVersion() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-touch-version");
      DeviceRecord v1 = SampleRecords.paired(k, 1, "v1");
      assertTrue(store.compareAndSet(0, v1));
      store.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(60_000));
      assertEquals(1, store.load(k.deviceId()).orElseThrow().version());
      DeviceRecord v2 = SampleRecords.relabelled(v1, 2, "v2");
      assertTrue(store.compareAndSet(1, v2), "touch must not make version 1 stale");
      DeviceRecord loaded = store.load(k.deviceId()).orElseThrow();
      assertEquals(2, loaded.version());
      assertEquals("v2", loaded.paired().label());
    }
  }

  /**
   * touch never undoes a committed compareAndSet: after a change, a touch (before or after it)
   * leaves every versioned field of the change in place; only lastSeenAt and token lastUsedAt may
   * move, and only forwards.
   */
  @Test
  default void touch_neverUndoesCompareAndSet() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair k = keyPair("contract-touch-undo");
      DeviceRecord v1 = SampleRecords.full(k, 1, "touch", false);
      assertTrue(store.compareAndSet(0, v1));
      store.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(50_000));
      DeviceRecord v2 = new DeviceRecord(k.deviceId(), 2, v1.paired().withLabel("after-touch"),
          null, true, v1.resolved().subList(0, 1));
      assertTrue(store.compareAndSet(1, v2));
      store.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(70_000));
      store.touch(k.deviceId(), Role.NODE, SampleRecords.at(65_000));
      DeviceRecord now = store.load(k.deviceId()).orElseThrow();
      assertEquals(withoutAccessTimes(v2), withoutAccessTimes(now));
      Instant seen = now.paired().lastSeenAt();
      assertNotNull(seen);
      assertFalse(seen.isBefore(v2.paired().lastSeenAt()), "lastSeenAt moved backwards");
      // An earlier touch never moves times backwards.
      store.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(1));
      DeviceRecord later = store.load(k.deviceId()).orElseThrow();
      assertFalse(later.paired().lastSeenAt().isBefore(seen), "touch moved lastSeenAt backwards");
      assertEquals(withoutAccessTimes(v2), withoutAccessTimes(later));
    }
  }

  /** touch of a device the store does not hold, or that is not paired, creates nothing. */
  @Test
  default void touch_unknownOrUnpairedDevice_createsNothing() {
    try (PairingStore store = newStore()) {
      DeviceKeyPair absent = keyPair("contract-touch-absent");
      DeviceKeyPair pendingOnly = keyPair("contract-touch-pending");
      DeviceRecord p = SampleRecords.pending(pendingOnly, 1, requestId("touch-pending"));
      assertTrue(store.compareAndSet(0, p));
      store.touch(absent.deviceId(), Role.OPERATOR, SampleRecords.at(5));
      store.touch(pendingOnly.deviceId(), Role.OPERATOR, SampleRecords.at(5));
      assertEquals(Optional.empty(), store.load(absent.deviceId()));
      assertEquals(Optional.of(p), store.load(pendingOnly.deviceId()));
      assertEquals(List.of(p), store.list("", 10));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // persistence

  /**
   * Committed records, deletions, versions and request-id lookups survive closing and reopening
   * the store, and a compareAndSet after the reopen sees the persisted version.
   */
  @Test
  default void reopen_keepsCommittedChanges() {
    Assumptions.assumeTrue(supportsReopen(), "store does not declare supportsReopen()");
    PairingStore store = newStore();
    try {
      DeviceKeyPair a = keyPair("contract-reopen-a");
      DeviceKeyPair b = keyPair("contract-reopen-b");
      DeviceKeyPair c = keyPair("contract-reopen-c");
      DeviceRecord a1 = SampleRecords.full(a, 1, "reopen-a", false);
      DeviceRecord a2 = SampleRecords.relabelled(a1, 2, "a2");
      DeviceRecord b1 = SampleRecords.full(b, 1, "reopen-b", true);
      DeviceRecord c1 = SampleRecords.paired(c, 1, "c1");
      assertTrue(store.compareAndSet(0, a1));
      assertTrue(store.compareAndSet(1, a2));
      assertTrue(store.compareAndSet(0, b1));
      assertTrue(store.compareAndSet(0, c1));
      assertTrue(store.compareAndSet(1, new DeviceRecord(c.deviceId(), 2, null, null, false,
          List.of())));
      store.touch(a.deviceId(), Role.OPERATOR, SampleRecords.at(90_000));
      DeviceRecord touched = store.load(a.deviceId()).orElseThrow();

      store = reopen(store);
      DeviceRecord reloaded = store.load(a.deviceId()).orElseThrow();
      assertEquals(withoutAccessTimes(a2), withoutAccessTimes(reloaded));
      assertFalse(reloaded.paired().lastSeenAt().isAfter(touched.paired().lastSeenAt()));
      assertEquals(Optional.of(b1), store.load(b.deviceId()));
      assertEquals(Optional.empty(), store.load(c.deviceId()));
      for (RequestId id : b1.requestIds()) {
        assertEquals(Optional.of(b1), store.findByRequestId(id), "request id " + id);
      }
      for (RequestId id : a1.requestIds()) {
        assertEquals(a.deviceId(), store.findByRequestId(id).orElseThrow().deviceId());
      }
      List<DeviceRecord> listed = store.list("", 10);
      assertEquals(2, listed.size());
      assertFalse(store.compareAndSet(1, SampleRecords.relabelled(a1, 2, "stale")));
      DeviceRecord a3 = SampleRecords.relabelled(a2, 3, "a3");
      assertTrue(store.compareAndSet(2, a3));

      store = reopen(store);
      assertEquals(withoutAccessTimes(a3),
          withoutAccessTimes(store.load(a.deviceId()).orElseThrow()));
    } finally {
      store.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // several handles

  /** A change committed through one handle is visible through another handle at once. */
  @Test
  default void secondHandle_seesCommittedChangesAndConflicts() {
    Assumptions.assumeTrue(supportsSecondHandle(), "store does not declare supportsSecondHandle()");
    try (PairingStore one = newStore(); PairingStore two = secondHandle(one)) {
      DeviceKeyPair k = keyPair("contract-handles");
      DeviceRecord v1 = SampleRecords.full(k, 1, "handles", false);
      assertTrue(one.compareAndSet(0, v1));
      assertEquals(Optional.of(v1), two.load(k.deviceId()));
      assertEquals(Optional.of(v1), two.findByRequestId(v1.pending().requestId()));
      assertEquals(List.of(v1), two.list("", 10));
      DeviceRecord v2 = SampleRecords.relabelled(v1, 2, "via-two");
      assertTrue(two.compareAndSet(1, v2));
      assertFalse(one.compareAndSet(1, SampleRecords.relabelled(v1, 2, "via-one")),
          "handle one wrote on a stale version");
      assertEquals(Optional.of(v2), one.load(k.deviceId()));
      assertTrue(one.compareAndSet(2, new DeviceRecord(k.deviceId(), 3, null, null, false,
          List.of())));
      assertEquals(Optional.empty(), two.load(k.deviceId()));
      assertEquals(Optional.empty(), two.findByRequestId(v1.pending().requestId()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // concurrency

  /** Several threads doing read-modify-CAS increments on one device lose no update. */
  @Test
  default void concurrentCompareAndSet_sameDevice_losesNoUpdate() throws InterruptedException {
    try (PairingStore store = newStore()) {
      ConcurrencyHarness.run(List.of(store), 1, concurrentWriters(), incrementsPerWriter(), false);
    }
  }

  /** Several threads doing CAS increments spread over several devices lose no update. */
  @Test
  default void concurrentCompareAndSet_differentDevices_losesNoUpdate()
      throws InterruptedException {
    try (PairingStore store = newStore()) {
      ConcurrencyHarness.run(
          List.of(store), concurrentWriters(), concurrentWriters(), incrementsPerWriter(), false);
    }
  }

  /** touch running concurrently with CAS increments never loses or undoes one of them. */
  @Test
  default void concurrentTouch_neverLosesCompareAndSet() throws InterruptedException {
    try (PairingStore store = newStore()) {
      ConcurrencyHarness.run(List.of(store), 1, concurrentWriters(), incrementsPerWriter(), true);
    }
  }

  /**
   * The request flood limits (R12.1) are exact under concurrency: many threads hammering first
   * connects (each would create a request) at a {@code PairingService} over this store never
   * take the pending set past {@code maxPending}, the remote peers past
   * {@code maxPending − localPendingReserve}, or one address or IPv6 /64 past
   * {@code maxPendingPerAddress}; every refused connect writes nothing, and the caps are filled
   * exactly. See {@link PendingCapHarness}.
   */
  @Test
  default void concurrentFirstConnects_neverExceedThePendingCaps() throws InterruptedException {
    try (PairingStore store = newStore()) {
      PendingCapHarness.run(store, Math.max(8, 2 * concurrentWriters()), 8);
    }
  }

  /** Threads writing through two handles on one storage lose no update, on one or many devices. */
  @Test
  default void concurrentCompareAndSet_throughTwoHandles_losesNoUpdate()
      throws InterruptedException {
    Assumptions.assumeTrue(supportsSecondHandle(), "store does not declare supportsSecondHandle()");
    try (PairingStore one = newStore(); PairingStore two = secondHandle(one)) {
      ConcurrencyHarness.run(List.of(one, two), 1, concurrentWriters(), incrementsPerWriter(),
          true);
      ConcurrencyHarness.run(List.of(one, two), concurrentWriters(), concurrentWriters(),
          incrementsPerWriter(), false);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // model-based

  /**
   * Random device and operator action sequences run against a {@code PairingService} over this
   * store and against Pairgate's reference model in lockstep; every outcome and the visible state
   * after every step must agree. A restart in a sequence reopens the store when
   * {@link #supportsReopen()} is declared. See {@link ModelBasedTests}.
   */
  @TestFactory
  default Stream<DynamicTest> modelBasedSequences_matchReferenceModel() {
    return ModelBasedTests.againstStore(this);
  }

  // ---------------------------------------------------------------------------------------------
  // helpers

  /**
   * {@code r} with the best-effort access times ({@code lastSeenAt}, token {@code lastUsedAt})
   * cleared, for comparing records where {@link PairingStore#touch} may have changed them.
   */
  static DeviceRecord withoutAccessTimes(DeviceRecord r) {
    PairedDevice p = r.paired();
    if (p == null) {
      return r;
    }
    java.util.Map<Role, io.pairgate.DeviceToken> tokens = new java.util.HashMap<>();
    p.tokens().forEach((role, t) -> tokens.put(role, new io.pairgate.DeviceToken(
        t.role(), t.scopes(), t.hash(), t.createdAt(), t.rotatedAt(), t.revokedAt(), null)));
    PairedDevice q = new PairedDevice(p.deviceId(), p.publicKey(), p.roles(), p.approvedScopes(),
        p.client(), p.label(), tokens, p.createdAt(), p.approvedAt(), null, p.approvedVia(),
        p.remoteAddress());
    return new DeviceRecord(r.deviceId(), r.version(), q, r.pending(), r.blocked(), r.resolved());
  }
}
