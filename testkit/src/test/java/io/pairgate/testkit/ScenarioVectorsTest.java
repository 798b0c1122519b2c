package io.pairgate.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every bundled scenario vector passes against the real service. */
class ScenarioVectorsTest {
  private static final Path SOURCE_DIR =
      Path.of("src/main/resources/io/pairgate/testkit/scenarios");

  @TestFactory
  Stream<DynamicTest> everyBundledVectorPasses() {
    ScenarioRunner runner = ScenarioRunner.inMemory();
    return ScenarioRunner.bundledNames().stream().map(name -> DynamicTest.dynamicTest(name, () -> {
      ScenarioResult r = runner.runBundled(name);
      assertTrue(r.passed(), r::toString);
    }));
  }

  @Test
  void indexListsExactlyTheShippedVectors() throws IOException {
    TreeSet<String> files;
    try (Stream<Path> s = Files.list(SOURCE_DIR)) {
      files = s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".json"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, new TreeSet<>(ScenarioRunner.bundledNames()));
    assertTrue(files.size() >= 25, "at least 25 vectors ship");
  }

  @Test
  void runAll_onTheSourceDirectory_passesEveryVector() {
    List<ScenarioResult> results = ScenarioRunner.inMemory().runAll(SOURCE_DIR);
    assertEquals(ScenarioRunner.bundledNames().size(), results.size());
    results.forEach(r -> assertTrue(r.passed(), r::toString));
  }

  /**
   * The vectors exercise every pairing reason and every error a connect or operator action can
   * produce today. Not reachable through the public API: token-missing (an approved role always
   * gets a token; only imported records lack one), invalid-argument and the store errors.
   */
  @Test
  void vectorsCoverEveryReasonAndEveryReachableError() throws IOException {
    TreeSet<String> reasons = new TreeSet<>();
    TreeSet<String> errors = new TreeSet<>();
    TreeSet<String> proofs = new TreeSet<>();
    TreeSet<String> ops = new TreeSet<>();
    for (String name : ScenarioRunner.bundledNames()) {
      Object v = Json.parse(Files.readString(SOURCE_DIR.resolve(name)));
      collect(v, reasons, errors, proofs, ops);
    }
    TreeSet<String> wantErrors = new TreeSet<>();
    for (io.pairgate.ErrorCode c : io.pairgate.ErrorCode.values()) {
      wantErrors.add(c.wireName());
    }
    // too-many-challenges is thrown by issueChallenge, which a vector cannot fill
    wantErrors.removeAll(List.of("token-missing", "invalid-argument", "store-failure",
        "store-corrupt", "too-many-challenges"));
    assertEquals(wantErrors, errors, "error names used by vectors");
    TreeSet<String> wantReasons = new TreeSet<>();
    for (io.pairgate.UpgradeReason r : io.pairgate.UpgradeReason.values()) {
      wantReasons.add(r.wireName());
    }
    assertEquals(wantReasons, reasons);
    assertEquals(ScenarioRunner.PROOFS, proofs);
    assertEquals(new TreeSet<>(List.of("advance", "approve", "block", "connect", "reject",
        "remove", "revoke", "rotate", "state", "unblock")), ops);
  }

  @SuppressWarnings("unchecked")
  private static void collect(Object v, TreeSet<String> reasons, TreeSet<String> errors,
      TreeSet<String> proofs, TreeSet<String> ops) {
    if (v instanceof java.util.Map<?, ?> m) {
      java.util.Map<String, Object> map = (java.util.Map<String, Object>) m;
      if (map.get("reason") instanceof String r) {
        reasons.add(r);
      }
      if (map.get("error") instanceof String e) {
        errors.add(e);
      }
      if (map.get("proof") instanceof String p) {
        proofs.add(p);
      }
      if (map.get("op") instanceof String o) {
        ops.add(o);
      }
      if (map.containsKey("op") && map.get("proof") == null && "connect".equals(map.get("op"))) {
        proofs.add("valid");
      }
      map.values().forEach(x -> collect(x, reasons, errors, proofs, ops));
    } else if (v instanceof List<?> l) {
      l.forEach(x -> collect(x, reasons, errors, proofs, ops));
    }
  }
}
