package io.pairgate.testkit;

import io.pairgate.DeviceKeyPair;
import io.pairgate.VirtualClock;
import io.pairgate.spi.PairingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Model-based tests of a {@link io.pairgate.PairingService}: random {@link Action} sequences run
 * against the real service (over the store you supply) and against Pairgate's reference model in
 * lockstep. Every step's outcome (allowed / pairing required with reason, request id and what
 * happened to the request / rejected with error; each operator action's result or error) and the
 * visible state afterwards (pending requests, paired devices with roles, baseline, pins and
 * tokens, blocked devices) must agree. Request ids and token secrets are compared through the
 * model's own names: each real value is bound to a model name when it first appears, so id
 * stability and supersession are checked without predicting UUIDs.
 *
 * <p>The service gets a {@link VirtualClock} and a {@link SeededRandomSource} seeded from the case
 * seed, so a failing case replays exactly with {@code -Dpairgate.seed=…}.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> myStoreAgreesWithTheModel() {
 *   return ModelBasedTests.property("my store", MyStore::openFresh, store -> store)
 *       .cases(200).dynamicTests();
 * }
 * }</pre>
 */
public final class ModelBasedTests {
  /** The default number of sequences for the in-memory store run by the testkit's own build. */
  public static final int DEFAULT_CASES = 500;

  private ModelBasedTests() {}

  /**
   * The property "the service over this store agrees with the model" over
   * {@link PairingGens#actions()} (3 devices, 30–60 steps), 500 cases by default.
   *
   * @param name a name for reports
   * @param newStore opens a new, empty store for each sequence
   * @param restart what a {@link Action.Restart} does to the store: close and reopen it (a
   *     persistent store), or return it unchanged (the service is rebuilt either way)
   */
  public static Property<Case> property(
      String name, Supplier<PairingStore> newStore, UnaryOperator<PairingStore> restart) {
    return property(name, newStore, restart, PairingGens.ActionSpace.defaults());
  }

  /** As {@link #property(String, Supplier, UnaryOperator)} over another action space. */
  public static Property<Case> property(
      String name, Supplier<PairingStore> newStore, UnaryOperator<PairingStore> restart,
      PairingGens.ActionSpace space) {
    Objects.requireNonNull(newStore, "newStore");
    Objects.requireNonNull(restart, "restart");
    List<DeviceKeyPair> keys = new ArrayList<>();
    for (int i = 0; i < space.devices(); i++) {
      keys.add(SampleRecords.keyPair("model-device-" + i));
    }
    Gen<List<Action>> actions = PairingGens.actions(space);
    Lockstep.Stores stores = new Lockstep.Stores() {
      @Override
      public PairingStore open() {
        return newStore.get();
      }

      @Override
      public PairingStore restart(PairingStore old) {
        return restart.apply(old);
      }
    };
    // The case seed drives both the actions and the service's randomness; a small tombstone
    // limit in a quarter of the cases exercises pruning.
    Gen<Case> cases = Gen.of(
        r -> new Case(r.nextLong(), r.nextInt(4) == 0 ? 3 : 32, actions.generate(r)),
        c -> actions.shrink(c.actions()).map(a -> new Case(c.serviceSeed(), c.maxResolved(), a)));
    Property<Case> p = Property.forAll(name, cases, c -> {
      ReferenceModel.Config cfg = new ReferenceModel.Config(space.pendingTtlMs(), 120_000,
          86_400_000, c.maxResolved());
      try (Lockstep run = new Lockstep(cfg, stores, keys, c.serviceSeed())) {
        run.run(c.actions());
      }
    }).cases(DEFAULT_CASES).describe(c -> "maxResolvedPerDevice=" + c.maxResolved()
        + "\n" + PairingGens.describe(c.actions()));
    return p;
  }

  /** The model-based property against a contract's store, as dynamic tests. */
  static Stream<DynamicTest> againstStore(PairingStoreContract contract) {
    UnaryOperator<PairingStore> restart =
        contract.supportsReopen() ? contract::reopen : UnaryOperator.identity();
    return property("model-based sequences", contract::newStore, restart)
        .cases(contract.modelBasedCases())
        .dynamicTests();
  }

  /**
   * One generated case: the seed of the service's randomness, the tombstone limit it runs with,
   * and the actions.
   *
   * @param serviceSeed seeds the service's {@link SeededRandomSource}
   * @param maxResolved the service's {@code maxResolvedPerDevice}
   * @param actions the steps
   */
  public record Case(long serviceSeed, int maxResolved, List<Action> actions) {
    /** Copies the actions. */
    public Case {
      actions = List.copyOf(actions);
    }
  }
}
