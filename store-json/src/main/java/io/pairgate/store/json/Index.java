package io.pairgate.store.json;

import io.pairgate.spi.DeviceRecord;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.jspecify.annotations.Nullable;

/**
 * What the store keeps in memory for every device without reading its file: the sorted set of
 * device ids (for listing) and the request-id index (for {@code findByRequestId}). Built by a scan
 * and kept current by the change journal; mutated only under the store's sync lock (or by one
 * scan thread per device).
 */
final class Index {
  final ConcurrentSkipListSet<String> deviceIds = new ConcurrentSkipListSet<>();
  final ConcurrentHashMap<String, String> deviceByRequest = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<String>> requestsByDevice = new ConcurrentHashMap<>();

  /** Records {@code r} (or that {@code deviceId} has no record when null). */
  void put(String deviceId, @Nullable DeviceRecord r) {
    put(deviceId, r != null, r == null ? List.of() : r.requestIds());
  }

  /** Records whether {@code deviceId} has a record, and its request ids. */
  void put(String deviceId, boolean exists, List<String> requestIds) {
    List<String> now = exists ? requestIds : List.of();
    List<String> old = now.isEmpty()
        ? requestsByDevice.remove(deviceId)
        : requestsByDevice.put(deviceId, now);
    if (old != null) {
      for (String o : old) {
        if (!now.contains(o)) {
          deviceByRequest.remove(o, deviceId);
        }
      }
    }
    for (String n : now) {
      deviceByRequest.put(n, deviceId);
    }
    if (!exists) {
      deviceIds.remove(deviceId);
    } else {
      deviceIds.add(deviceId);
    }
  }
}
