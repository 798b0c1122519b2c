package io.pairgate.store.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pairgate.DeviceKeyPair;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.PairingStoreContract;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 at random moments: a child JVM ({@link CrashChild}) writes acknowledged records in a
 * loop and is killed with SIGKILL, {@value #KILLS} times, each time at a random point. After every
 * kill the store must open read-write (nothing torn: every file parses and validates), check
 * clean, and hold exactly the last acknowledged record of every device, except that a device
 * whose write was in flight at the kill may hold the record of that write instead. Access times
 * are ignored in the comparison: they are the only thing a crash may lose.
 */
class CrashTest {
  static final int KILLS = 20;
  private static final int THREADS = 2;
  private static final int DEVICES_PER_THREAD = 6;

  @TempDir Path tmp;

  @Test
  void sigkillAtRandomMoments_losesNoAcknowledgedWrite_andTearsNothing() throws Exception {
    Path dir = tmp.resolve("store");
    Map<String, DeviceKeyPair> keys = new HashMap<>();
    for (int t = 0; t < THREADS; t++) {
      for (DeviceKeyPair k : CrashWorkload.keys(t, DEVICES_PER_THREAD)) {
        keys.put(k.deviceId().value(), k);
      }
    }
    Map<String, Optional<DeviceRecord>> acked = new HashMap<>();
    keys.keySet().forEach(id -> acked.put(id, Optional.empty()));
    Random random = new Random(20261121L);
    int totalAcks = 0;
    int inFlightCommitted = 0;
    for (int run = 0; run < KILLS; run++) {
      List<String> out;
      try (ChildJvm child = ChildJvm.start(CrashChild.class, tmp.resolve("child-" + run),
          List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"),
          dir.toString(), String.valueOf(THREADS), String.valueOf(DEVICES_PER_THREAD),
          String.valueOf(run))) {
        int acksBeforeKill = 1 + random.nextInt(12);
        if (!child.awaitLines("A ", acksBeforeKill, 60_000)) {
          fail("run " + run + ": child made no progress; stdout " + child.lines() + "\nstderr:\n"
              + child.stderr());
        }
        Thread.sleep(random.nextInt(15));
        child.kill();
        out = child.lines();
      }
      // Replay the output: acknowledged states, and at most one write in flight per thread.
      Map<Integer, String[]> inFlight = new HashMap<>();
      for (String line : out) {
        if (!line.endsWith(" .")) {
          continue; // cut by the kill: a "B" not printed means the write never started
        }
        String[] f = line.split(" ");
        switch (f[0]) {
          case "B" -> inFlight.put(Integer.parseInt(f[1]), f);
          case "A" -> {
            DeviceRecord r = CrashWorkload.record(keys.get(f[2]), Long.parseLong(f[3]), f[4]);
            acked.put(f[2], r.isEmpty() ? Optional.empty() : Optional.of(r));
            inFlight.remove(Integer.parseInt(f[1]));
            totalAcks++;
          }
          case "E", "F" -> fail("run " + run + ": child reported " + line);
          default -> fail("run " + run + ": unexpected output " + line);
        }
      }
      Map<String, Optional<DeviceRecord>> alternative = new HashMap<>();
      for (String[] b : inFlight.values()) {
        DeviceRecord r =
            CrashWorkload.record(keys.get(b[2]), Long.parseLong(b[3]) + 1, b[4]);
        alternative.put(b[2], r.isEmpty() ? Optional.empty() : Optional.of(r));
      }
      // Reopen read-write (a torn or unparsable file would make this throw) and compare.
      try (JsonPairingStore store = JsonPairingStore.open(dir)) {
        assertEquals(List.of(), store.check(), "run " + run + ": store has problems");
        for (Map.Entry<String, DeviceKeyPair> e : keys.entrySet()) {
          String id = e.getKey();
          Optional<DeviceRecord> actual = stripped(store.load(e.getValue().deviceId()));
          Optional<DeviceRecord> expected = stripped(acked.get(id));
          if (actual.equals(expected)) {
            continue;
          }
          Optional<DeviceRecord> alt = alternative.get(id);
          if (alt != null && actual.equals(stripped(alt))) {
            acked.put(id, alt); // the in-flight write had committed before the kill
            inFlightCommitted++;
            continue;
          }
          List<String> mine = out.stream().filter(l -> l.contains(id)).toList();
          fail("run " + run + ": device " + id + " holds " + actual + " but the last "
              + "acknowledged write was " + expected
              + (alt == null ? "" : " (and the write in flight was " + alt + ")")
              + "; the child's lines about it: "
              + mine.subList(Math.max(0, mine.size() - 6), mine.size()) + "; last line: "
              + (out.isEmpty() ? "" : out.get(out.size() - 1)));
        }
      }
    }
    assertTrue(totalAcks >= KILLS, "too few acknowledged writes to mean anything: " + totalAcks);
    // About a quarter of the kills land between a commit and its acknowledgement (6 of 24 in one
    // measured run), which is what the "in flight" branch above accepts; not asserted, as it is
    // random.
  }

  /** Without access times: the only thing a crash may lose. */
  private static Optional<DeviceRecord> stripped(Optional<DeviceRecord> r) {
    return r.map(PairingStoreContract::withoutAccessTimes);
  }
}
