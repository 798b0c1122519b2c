package io.pairgate.store.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.DeviceId;
import io.pairgate.PairedDevice;
import io.pairgate.spi.DeviceRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs (a gateway and a CLI, say) approving and connecting the same devices through
 * {@link io.pairgate.PairingService} over one store directory, {@value #OPERATIONS}+ operations
 * each. No update may be lost: every scope either process acknowledged as approved must be in the
 * final baseline (approvals only grow it, so a stale overwrite would drop one); and each process
 * must see the other's acknowledged approvals at once (checked inside the children).
 */
class TwoProcessTest {
  static final int OPERATIONS = 2_000;
  private static final int DEVICES = 12;

  @TempDir Path tmp;

  @Test
  void twoProcessesApprovingAndConnecting_loseNoUpdate_andSeeEachOthersCommits()
      throws Exception {
    Path dir = tmp.resolve("store");
    Path logA = tmp.resolve("a.log");
    Path logB = tmp.resolve("b.log");
    // C1 only and a serial GC: in a 20-second run, C2 compilation and G1 threads cost the 2-core
    // build machine twice the CPU of the work itself.
    List<String> flags =
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    List<String> done = new ArrayList<>();
    try (ChildJvm a = ChildJvm.start(PairingChild.class, tmp.resolve("a"), flags,
            dir.toString(), "a", String.valueOf(OPERATIONS), String.valueOf(DEVICES),
            logA.toString(), logB.toString(), "1");
        ChildJvm b = ChildJvm.start(PairingChild.class, tmp.resolve("b"), flags,
            dir.toString(), "b", String.valueOf(OPERATIONS), String.valueOf(DEVICES),
            logB.toString(), logA.toString(), "2")) {
      for (ChildJvm c : List.of(a, b)) {
        int code = c.awaitExit(170);
        assertEquals(0, code, "child failed; stdout " + c.lines() + "\nstderr:\n" + c.stderr());
        String last = c.lines().get(c.lines().size() - 1);
        assertTrue(last.startsWith("DONE "), last);
        done.add(last);
      }
    }
    int acknowledged = 0;
    try (JsonPairingStore store = JsonPairingStore.open(dir)) {
      assertEquals(List.of(), store.check());
      for (Path log : List.of(logA, logB)) {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          String[] f = line.split(" ");
          assertEquals("APPROVED", f[0]);
          PairedDevice d = store.load(DeviceId.parse(f[1])).map(DeviceRecord::paired)
              .orElseThrow(() -> new AssertionError("device of " + line + " is gone"));
          assertTrue(d.approvedScopes().contains(f[2]),
              "lost update: " + line + " was acknowledged, but the baseline is "
                  + d.approvedScopes());
          acknowledged++;
        }
      }
    }
    for (String d : done) {
      String[] f = d.split(" ", 5);
      assertTrue(Integer.parseInt(f[1]) >= OPERATIONS, d);
      assertEquals("0", f[3], "cross-process visibility violations: " + d);
    }
    assertTrue(acknowledged > OPERATIONS / 4, "too few approvals to mean anything: "
        + acknowledged);
  }
}
