package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceKeyPair;
import io.pairgate.Role;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Read-modify-compare-and-set increments from several threads: each increment loads a record,
 * adds one to a counter kept in the paired device's label and writes it back with
 * compareAndSet, retrying on conflict. No update may be lost, and each committed increment must
 * bump the version by exactly one.
 */
final class ConcurrencyHarness {
  /** Guards against a deadlocked store hanging the build; not a performance bound. */
  private static final long SAFETY_NET_MINUTES = 5;

  private ConcurrencyHarness() {}

  static void run(
      List<PairingStore> handles, int devices, int threads, int incrementsPerThread,
      boolean withToucher) throws InterruptedException {
    List<DeviceKeyPair> keys = new ArrayList<>();
    String run = Long.toHexString(System.identityHashCode(handles)) + "-" + devices + "-" + threads;
    for (int d = 0; d < devices; d++) {
      DeviceKeyPair k = SampleRecords.keyPair("contract-concurrent-" + run + "-" + d);
      keys.add(k);
      assertTrue(handles.get(0).compareAndSet(0, SampleRecords.paired(k, 1, "0")),
          "creating the counter record");
    }
    int[] expected = new int[devices];
    for (int t = 0; t < threads; t++) {
      for (int j = 0; j < incrementsPerThread; j++) {
        expected[(t + j) % devices]++;
      }
    }
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch writersDone = new CountDownLatch(threads);
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      PairingStore store = handles.get(t % handles.size());
      int tt = t;
      all.add(new Thread(() -> {
        try {
          start.await();
          for (int j = 0; j < incrementsPerThread; j++) {
            increment(store, keys.get((tt + j) % devices));
          }
        } catch (Throwable e) {
          errors.add(e);
        } finally {
          writersDone.countDown();
        }
      }, "pairgate-contract-writer-" + t));
    }
    if (withToucher) {
      for (int h = 0; h < handles.size(); h++) {
        PairingStore store = handles.get(h);
        all.add(new Thread(() -> {
          try {
            start.await();
            long ms = 1;
            while (writersDone.getCount() > 0) {
              for (DeviceKeyPair k : keys) {
                store.touch(k.deviceId(), Role.OPERATOR, SampleRecords.at(ms++));
              }
              Thread.yield();
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        }, "pairgate-contract-toucher-" + h));
      }
    }
    all.forEach(Thread::start);
    start.countDown();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(SAFETY_NET_MINUTES);
    for (Thread th : all) {
      th.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (th.isAlive()) {
        all.forEach(Thread::interrupt);
        throw new AssertionError(th.getName() + " did not finish: the store appears deadlocked");
      }
    }
    if (!errors.isEmpty()) {
      AssertionError e = new AssertionError("a concurrent writer failed: " + errors.peek());
      errors.forEach(e::addSuppressed);
      throw e;
    }
    for (int d = 0; d < devices; d++) {
      DeviceRecord r = handles.get(0).load(keys.get(d).deviceId()).orElseThrow();
      assertEquals(String.valueOf(expected[d]), r.paired().label(),
          "counter of device " + d + " after " + expected[d] + " committed increments");
      assertEquals(expected[d] + 1L, r.version(),
          "version of device " + d + " must grow by exactly one per committed increment");
    }
  }

  private static void increment(PairingStore store, DeviceKeyPair key) {
    while (true) {
      DeviceRecord r = store.load(key.deviceId()).orElseThrow();
      int n = Integer.parseInt(r.paired().label());
      if (store.compareAndSet(r.version(),
          SampleRecords.relabelled(r, r.version() + 1, String.valueOf(n + 1)))) {
        return;
      }
      Thread.yield();
    }
  }
}
