package io.pairgate.store.json;

import io.pairgate.RequestId;
import io.pairgate.DeviceKeyPair;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import io.pairgate.testkit.SampleRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The crash test's writes: a device's next record is a pure function of (device, version, tag), so
 * the parent can rebuild exactly what the child acknowledged from one line of its output.
 */
final class CrashWorkload {
  private CrashWorkload() {}

  static List<DeviceKeyPair> keys(int thread, int perThread) {
    List<DeviceKeyPair> out = new ArrayList<>();
    for (int i = 0; i < perThread; i++) {
      out.add(SampleRecords.keyPair("crash-" + thread + "-" + i));
    }
    return out;
  }

  /** A tag: the kind letter and a unique suffix. Deletion only of a stored record. */
  static String tag(Random r, boolean exists, String unique) {
    int p = r.nextInt(100);
    char kind = p < 40 ? 'P' : p < 60 ? 'F' : p < 75 ? 'Q' : p < 88 ? 'B' : exists ? 'D' : 'P';
    return kind + unique;
  }

  /** The record a tag describes ({@code isEmpty()} for a deletion). */
  static DeviceRecord record(DeviceKeyPair k, long version, String tag) {
    switch (tag.charAt(0)) {
      case 'P':
        return SampleRecords.paired(k, version, tag);
      case 'F':
        return SampleRecords.relabelled(SampleRecords.full(k, version, tag, false), version, tag);
      case 'Q':
        return SampleRecords.pending(k, version, SampleRecords.requestId(tag));
      case 'B':
        return new DeviceRecord(k.deviceId(), version, null, null, true, List.of(
            new ResolvedRequest(SampleRecords.requestId(tag), ResolvedRequest.Resolution.REJECTED,
                null, SampleRecords.at(version))));
      case 'D':
        return new DeviceRecord(k.deviceId(), version, null, null, false, List.of());
      default:
        throw new IllegalArgumentException(tag);
    }
  }
}
