package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.spi.DeviceRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {
  private static final List<String> PROFILES =
      List.of("operator.read", "operator.write", "operator.approvals", "operator.pairing", "operator.admin");

  @Test
  void twoThreadsApprovingAndConnectingConcurrentlyLeaveAConsistentState() throws Exception {
    Fixture f = new Fixture(b -> b.pendingTtl(Duration.ofDays(1)));
    List<DeviceKeyPair> devices = List.of(Fixture.key("a"), Fixture.key("b"), Fixture.key("c"));
    int iterations = 10_000;
    AtomicInteger approvals = new AtomicInteger();
    AtomicBoolean connectorDone = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> connector = pool.submit(() -> {
        start.await();
        try {
          for (int i = 0; i < iterations; i++) {
            DeviceKeyPair d = devices.get(i % devices.size());
            ConnectResult r = f.connect(d, PROFILES.get((i / 3) % PROFILES.size()));
            if (r instanceof ConnectResult.Rejected x) {
              throw new AssertionError("unexpected rejection " + x);
            }
          }
        } finally {
          connectorDone.set(true);
        }
        return null;
      });
      Future<?> approver = pool.submit(() -> {
        start.await();
        // run alongside the connector for its whole run, however the threads are scheduled
        for (int i = 0; i < iterations || !connectorDone.get(); i++) {
          for (PendingRequest p : f.service.list().pending()) {
            try {
              f.service.approve(p.requestId(), Approver.admin("op"));
              approvals.incrementAndGet();
            } catch (SupersededException | ForbiddenException e) {
              // a concurrent connect widened it; the next round approves the successor
            } catch (PairgateException e) {
              if (e.code() != ErrorCode.UNKNOWN_REQUEST) {
                throw e;
              }
            }
          }
        }
        return null;
      });
      start.countDown();
      connector.get();
      approver.get();
    } finally {
      pool.shutdownNow();
    }
    // drain: approve whatever is still pending, then every profile of every device is allowed
    for (PendingRequest p : f.service.list().pending()) {
      f.service.approve(p.requestId(), Approver.admin("op"));
    }
    assertTrue(approvals.get() > 0);
    for (DeviceKeyPair d : devices) {
      DeviceRecord rec = f.store.load(d.deviceId()).orElseThrow();
      PairedDevice p = rec.paired();
      assertEquals(ScopeSet.parse(PROFILES), p.approvedScopes(), "no approval was lost");
      DeviceToken t = p.token(Role.OPERATOR);
      assertTrue(f.service.scopePolicy().allows(Role.OPERATOR, t.scopes(), p.approvedScopes()),
          "token within baseline");
      for (String s : PROFILES) {
        f.allowed(f.connect(d, s));
      }
      for (RequestId id : rec.requestIds()) {
        assertEquals(d.deviceId(), f.store.findByRequestId(id).orElseThrow().deviceId());
      }
    }
    assertTrue(f.service.list().pending().isEmpty());
  }
}
