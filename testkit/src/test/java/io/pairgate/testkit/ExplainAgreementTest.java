package io.pairgate.testkit;

import io.pairgate.InMemoryPairingStore;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** R15: explain renders the same decision connect applies (issue 16), over the in-memory store. */
class ExplainAgreementTest {
  @TestFactory
  Stream<DynamicTest> explainAgreesWithConnect() {
    return ExplainAgreement.property("in-memory", InMemoryPairingStore::new).dynamicTests();
  }
}
