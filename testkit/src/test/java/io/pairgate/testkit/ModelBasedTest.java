package io.pairgate.testkit;

import io.pairgate.InMemoryPairingStore;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
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
}
