package io.pairgate.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.spi.ChangeListener;
import io.pairgate.spi.ChangeSubscription;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code subscribe}: PostgreSQL LISTEN/NOTIFY across two stores; other dialects have none. */
class ChangeNotificationTest {
  @TempDir Path dir;

  @Test
  void postgresqlNotifiesOtherStoresOfCommittedChangesOnly() throws Exception {
    TestDatabases.Namespace ns = TestDatabases.Namespace.create(TestDatabases.Server.POSTGRESQL);
    try (JdbcPairingStore writer = JdbcPairingStore.url(ns.url()).open();
        JdbcPairingStore reader = JdbcPairingStore.url(ns.url()).open()) {
      LinkedBlockingQueue<DeviceId> seen = new LinkedBlockingQueue<>();
      ChangeSubscription sub = reader.subscribe(seen::add).orElseThrow();
      DeviceKeyPair key = SampleRecords.keyPair("notify");
      DeviceRecord rec = SampleRecords.paired(key, 1, "n");
      assertTrue(writer.compareAndSet(0, rec));
      assertEquals(key.deviceId(), seen.poll(5, TimeUnit.SECONDS));
      // a failed compare-and-set (wrong version) commits nothing and notifies nobody
      DeviceRecord stale = SampleRecords.paired(key, 1, "stale");
      assertTrue(!writer.compareAndSet(0, stale));
      assertNull(seen.poll(500, TimeUnit.MILLISECONDS));
      sub.close();
      assertTrue(writer.compareAndSet(1, SampleRecords.paired(key, 2, "after")));
      assertNull(seen.poll(800, TimeUnit.MILLISECONDS), "closed: no more notifications");
    } finally {
      ns.drop();
    }
  }

  @Test
  void sqliteHasNoCrossProcessNotification() {
    try (JdbcPairingStore s = JdbcPairingStore.sqlite(dir.resolve("n.db")).open()) {
      ChangeListener l = id -> { };
      assertTrue(s.subscribe(l).isEmpty());
    }
  }
}
