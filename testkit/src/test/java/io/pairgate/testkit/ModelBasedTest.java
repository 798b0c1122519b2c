package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pairgate.InMemoryPairingStore;
import io.pairgate.spi.PairingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The real service over the in-memory store agrees with the reference model, step by step. */
class ModelBasedTest {
  @TestFactory
  Stream<DynamicTest> serviceAgreesWithReferenceModel() {
    return ModelBasedTests.property(
            "PairingService agrees with the reference model", InMemoryPairingStore::new,
            UnaryOperator.identity())
        .dynamicTests();
  }

  /** The default sequences are long enough and reach every kind of outcome. */
  @Test
  void generatedSequences_reachEveryOutcome() {
    Gen<List<Action>> gen = PairingGens.actions();
    SplittableRandom r = new SplittableRandom(1);
    TreeSet<String> seen = new TreeSet<>();
    List<io.pairgate.DeviceKeyPair> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      keys.add(SampleRecords.keyPair("model-device-" + i));
    }
    Lockstep.Stores stores = new Lockstep.Stores() {
      @Override
      public PairingStore open() {
        return new InMemoryPairingStore();
      }

      @Override
      public PairingStore restart(PairingStore old) {
        return old;
      }
    };
    for (int c = 0; c < 150; c++) {
      List<Action> actions = gen.generate(r);
      assertTrue(actions.size() >= 30, "sequences have at least 30 steps");
      try (Lockstep run = new Lockstep(new ReferenceModel.Config(300_000, 120_000, 86_400_000,
          c % 4 == 0 ? 3 : 32), stores, keys, c)) {
        run.observe(o -> {
          String[] w = o.split(" ");
          seen.add(w[0] + (w.length > 1 && (w[1].startsWith("reason=") || w[1].startsWith("error="))
              ? " " + w[1] : w[0].equals("error") ? " " + w[1] : ""));
          for (String x : w) {
            if (x.startsWith("change=") || x.equals("already=true") || x.equals("issued=true")) {
              seen.add(x);
            }
          }
        }).run(actions);
      }
    }
    List<String> want = List.of("advanced", "allowed", "approved", "already=true", "blocked",
        "change=created", "change=refreshed", "change=superseded", "change=unchanged",
        "error expired", "error forbidden", "error invalid-scope", "error scope-outside-baseline",
        "error superseded", "error unknown-device", "error unknown-request", "error unknown-role",
        "issued=true", "pairing-required reason=metadata-upgrade",
        "pairing-required reason=not-paired", "pairing-required reason=role-upgrade",
        "pairing-required reason=scope-upgrade", "rejected error=blocked",
        "rejected error=invalid-scope", "rejected error=signature-expired",
        "rejected error=signature-invalid", "rejected error=token-mismatch",
        "rejected error=token-revoked", "rejected error=token-scope-mismatch",
        "rejected error=unknown-device", "rejected error=unknown-role", "rejected-request",
        "removed", "restarted", "revoked", "rotated", "unblocked");
    TreeSet<String> missing = new TreeSet<>(want);
    missing.removeAll(seen);
    assertEquals(new TreeSet<>(), missing, () -> "never reached; seen: " + seen);
  }
}
