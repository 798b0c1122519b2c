package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ConvergenceCheckerTest {

  @Test
  void realService_convergesAndSatisfiesP1toP7_defaultConfig() {
    ConvergenceReport r = ConvergenceChecker.checkInMemory(ConvergenceChecker.Config.defaults(42));
    assertTrue(r.converged(), r::summary);
    r.properties().forEach(p -> assertTrue(p.held() && p.checks() > 0, r::summary));
    assertEquals(0, r.unconvergedDevices(), r::summary);
    assertTrue(r.totalApprovals() >= r.devices(), r::summary);
  }

  @TestFactory
  Stream<DynamicTest> realService_convergesForRandomSeeds() {
    return Property.forAll("the real service converges (P1-P7) for any seed", Gen.longs(), seed -> {
      ConvergenceReport r = ConvergenceChecker.checkInMemory(
          ConvergenceChecker.Config.defaults(seed).withSize(4, 60));
      assertTrue(r.converged(), r::summary);
    }).cases(5).dynamicTests();
  }

  @Test
  void sameSeed_givesByteIdenticalTrace_differentSeed_differentTrace() {
    ConvergenceChecker.Config cfg = ConvergenceChecker.Config.defaults(7).withSize(4, 60);
    ConvergenceReport a = ConvergenceChecker.checkInMemory(cfg);
    ConvergenceReport b = ConvergenceChecker.checkInMemory(cfg);
    assertEquals(a.traceHash(), b.traceHash());
    assertEquals(a.trace(), b.trace());
    assertTrue(a.properties().stream().anyMatch(p -> p.id().equals("DET") && p.held()));
    ConvergenceReport c = ConvergenceChecker.checkInMemory(cfg.withSeed(8));
    assertNotEquals(a.traceHash(), c.traceHash());
  }

  @Test
  void loopProneService_openClaw2026_2_19_isReportedNonConverging_withShortCounterexample() {
    ConvergenceReport r = ConvergenceChecker.check(ConvergenceChecker.Config.defaults(42),
        LoopProneService::openClaw2026_2_19);
    assertFalse(r.converged(), r::summary);
    assertFalse(r.violations().isEmpty(), r::summary);
    assertFalse(r.counterexample().isEmpty(), r::summary);
    assertTrue(r.counterexample().size() <= 6,
        () -> "counterexample longer than 6 steps:\n" + r.summary());
    // the loop itself: pairing keeps being required after the union was approved
    assertTrue(r.properties().stream().anyMatch(p -> p.id().equals("P7") && !p.held()),
        r::summary);
    assertTrue(r.properties().stream().anyMatch(p -> p.id().equals("P3") && !p.held()),
        r::summary);
  }

  @TestFactory
  Stream<DynamicTest> loopProneService_eachBugAloneIsDetected() {
    return EnumSet.allOf(LoopProneService.Bug.class).stream().map(bug ->
        DynamicTest.dynamicTest(bug.name(), () -> {
          ConvergenceReport r = ConvergenceChecker.check(ConvergenceChecker.Config.defaults(42),
              env -> new LoopProneService(EnumSet.of(bug), env));
          assertFalse(r.converged(), r::summary);
          assertTrue(r.counterexample().size() <= 6, r::summary);
        }));
  }

  @Test
  void loopProneService_withoutBugs_converges() {
    ConvergenceReport r = ConvergenceChecker.check(ConvergenceChecker.Config.defaults(42),
        env -> new LoopProneService(EnumSet.noneOf(LoopProneService.Bug.class), env));
    assertTrue(r.converged(), r::summary);
  }
}
