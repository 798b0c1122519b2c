package io.pairgate.store.jdbc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Coalesces {@link io.pairgate.spi.PairingStore#touch} calls in memory until the next flush: per
 * device and role only the latest instant is kept. The connect path therefore never opens a write
 * transaction; the store's flusher writes the buffered times in the background.
 */
final class TouchBuffer {
  /** One device's buffered touches. */
  record Entry(String deviceId, Map<String, Instant> byRole) {}

  private final ConcurrentHashMap<String, Map<String, Instant>> pending = new ConcurrentHashMap<>();
  private final int maxDevices;
  private final AtomicLong dropped = new AtomicLong();

  TouchBuffer(int maxDevices) {
    this.maxDevices = maxDevices;
  }

  /** Records a touch; when the buffer is full, touches of devices not yet buffered are dropped. */
  void add(String deviceId, String role, Instant at) {
    if (pending.size() >= maxDevices && !pending.containsKey(deviceId)) {
      dropped.incrementAndGet();
      return;
    }
    pending.compute(deviceId, (k, old) -> {
      if (old == null) {
        return Map.of(role, at);
      }
      Instant prev = old.get(role);
      if (prev != null && !prev.isBefore(at)) {
        return old;
      }
      Map<String, Instant> next = new HashMap<>(old);
      next.put(role, at);
      return Map.copyOf(next);
    });
  }

  /** The touches buffered for {@code deviceId} (an immutable snapshot), or null. */
  @Nullable Map<String, Instant> forDevice(String deviceId) {
    return pending.get(deviceId);
  }

  /** Forgets the touches buffered for {@code deviceId} (a compare-and-set replaced its record). */
  void discard(String deviceId) {
    pending.remove(deviceId);
  }

  /** Removes and returns everything buffered. */
  List<Entry> drain() {
    List<Entry> out = new ArrayList<>();
    for (String id : pending.keySet()) {
      Map<String, Instant> m = pending.remove(id);
      if (m != null) {
        out.add(new Entry(id, m));
      }
    }
    return out;
  }

  /** Puts back entries a failed flush could not write, unless newer touches arrived meanwhile. */
  void restore(List<Entry> entries) {
    for (Entry e : entries) {
      for (Map.Entry<String, Instant> r : e.byRole().entrySet()) {
        add(e.deviceId(), r.getKey(), r.getValue());
      }
    }
  }

  /** How many touches were dropped because the buffer was full. */
  long dropped() {
    return dropped.get();
  }
}
