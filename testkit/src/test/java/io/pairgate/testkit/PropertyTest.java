package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** The property runner: determinism, shrinking, reports, and the system properties. */
@ResourceLock("system-properties")
class PropertyTest {
  private final java.util.Map<String, String> saved = new java.util.HashMap<>();

  /** These tests assert default behaviour, so a -Dpairgate.* given to the build is set aside. */
  @org.junit.jupiter.api.BeforeEach
  void setAsideSystemProperties() {
    for (String k : List.of(Property.SEED_PROPERTY, Property.CASES_PROPERTY,
        Property.BASE_SEED_PROPERTY)) {
      saved.put(k, System.getProperty(k));
      System.clearProperty(k);
    }
  }

  @org.junit.jupiter.api.AfterEach
  void restoreSystemProperties() {
    saved.forEach(PropertyTest::restore);
  }

  @Test
  void sameCaseSeed_generatesTheSameValue() {
    Property<List<Action>> p = Property.forAll("p", PairingGens.actions(), a -> { });
    long seed = p.caseSeed(3);
    assertEquals(p.generate(seed), p.generate(seed));
    assertFalse(p.generate(p.caseSeed(0)).equals(p.generate(p.caseSeed(1))));
  }

  @Test
  void passingProperty_runsEveryCaseAndReportsNothing() {
    AtomicInteger runs = new AtomicInteger();
    Optional<Property.Failure<Integer>> f =
        Property.forAll("ints", Gen.ints(0, 100), i -> runs.incrementAndGet()).cases(37).run();
    assertTrue(f.isEmpty());
    assertEquals(37, runs.get());
  }

  @Test
  void failingList_isShrunkToTheMinimalCounterexample() {
    // fails whenever the list holds a value >= 50: minimal counterexample is [50]
    Property<List<Integer>> p = Property.forAll("no big numbers",
        Gen.lists(Gen.ints(0, 100), 0, 40), l -> {
          if (l.stream().anyMatch(x -> x >= 50)) {
            throw new AssertionError("found a big number in " + l);
          }
        }).cases(200);
    Property.Failure<List<Integer>> f = p.run().orElseThrow();
    assertEquals(List.of(50), f.shrunk());
    assertTrue(f.shrinkSteps() > 0);
    assertEquals(f.original(), p.generate(f.seed()), "the reported seed regenerates the case");
  }

  @Test
  void scopeSets_shrinkByRemovingScopes() {
    Property<io.pairgate.ScopeSet> p = Property.forAll("no admin",
        PairingGens.scopeSets(PairingGens.OPERATOR_SCOPES, 6), s -> {
          if (s.contains("operator.admin")) {
            throw new AssertionError("admin");
          }
        }).cases(200);
    assertEquals(io.pairgate.ScopeSet.of("operator.admin"), p.run().orElseThrow().shrunk());
  }

  @Test
  void actionSequences_shrinkByDroppingActions() {
    Property<List<Action>> p = Property.forAll("never block", PairingGens.actions(), as -> {
      if (as.stream().anyMatch(a -> a instanceof Action.Block)) {
        throw new AssertionError("blocked");
      }
    }).cases(50);
    List<Action> shrunk = p.run().orElseThrow().shrunk();
    assertEquals(1, shrunk.size());
    assertTrue(shrunk.get(0) instanceof Action.Block);
  }

  @Test
  void failureReport_holdsSeedCounterexampleCauseAndReplayHint() {
    Property<Integer> p = Property.forAll("small", Gen.ints(0, 1000), i -> {
      if (i > 10) {
        throw new AssertionError("too big: " + i);
      }
    });
    AssertionError e = assertThrows(AssertionError.class, p::check);
    Property.Failure<Integer> f = p.run().orElseThrow();
    String seed = Property.formatSeed(f.seed());
    assertTrue(e.getMessage().contains("Property \"small\" failed"), e.getMessage());
    assertTrue(e.getMessage().contains("seed: " + seed), e.getMessage());
    assertTrue(e.getMessage().contains("-Dpairgate.seed=" + seed), e.getMessage());
    assertTrue(e.getMessage().contains("too big: 11"), e.getMessage());
    assertTrue(e.getMessage().contains("    11\n"), e.getMessage());
  }

  @Test
  void seedProperty_replaysExactlyOneCase_andCasesPropertyOverridesTheCount() {
    Property<Long> p = Property.forAll("seeds", Gen.longs(), x -> { }).cases(5);
    long seed = p.caseSeed(4);
    List<Long> seen = new ArrayList<>();
    Property<Long> q = Property.forAll("seeds", Gen.longs(), seen::add).cases(5);
    String oldSeed = System.getProperty(Property.SEED_PROPERTY);
    String oldCases = System.getProperty(Property.CASES_PROPERTY);
    try {
      System.setProperty(Property.SEED_PROPERTY, Property.formatSeed(seed));
      assertTrue(q.run().isEmpty());
      assertEquals(List.of(p.generate(seed)), seen);
      System.clearProperty(Property.SEED_PROPERTY);
      System.setProperty(Property.CASES_PROPERTY, "7");
      seen.clear();
      q.run();
      assertEquals(7, seen.size());
    } finally {
      restore(Property.SEED_PROPERTY, oldSeed);
      restore(Property.CASES_PROPERTY, oldCases);
    }
  }

  @Test
  void parseSeed_acceptsDecimalAndHex() {
    assertEquals(42L, Property.parseSeed("42"));
    assertEquals(-1L, Property.parseSeed("0xffffffffffffffff"));
    assertEquals(-5L, Property.parseSeed("-5"));
    long s = 0x8000_0000_0000_0001L;
    assertEquals(s, Property.parseSeed(Property.formatSeed(s)));
  }

  @Test
  void elements_shrinkTowardsEarlierValues() {
    Gen<String> g = Gen.elements("a", "b", "c");
    assertEquals(List.of("a", "b"), g.shrink("c").toList());
    assertEquals(Set.of(), Set.copyOf(g.shrink("a").toList()));
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
