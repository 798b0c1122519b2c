package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScopePolicyTest {
  private final ScopePolicy p = ScopePolicy.openClaw();
  private static final Role OP = Role.OPERATOR;

  private boolean allows(Role role, String requested, String... granted) {
    return p.allows(role, ScopeSet.of(requested.isEmpty() ? new String[0] : requested.split(" ")),
        ScopeSet.of(granted));
  }

  @Test
  void readIsSatisfiedByReadWriteOrAdmin() {
    assertTrue(allows(OP, "operator.read", "operator.read"));
    assertTrue(allows(OP, "operator.read", "operator.write"));
    assertTrue(allows(OP, "operator.read", "operator.admin"));
    assertFalse(allows(OP, "operator.read", "operator.pairing"));
  }

  @Test
  void adminImpliesEveryOperatorScopeIncludingUnknownOnes() {
    for (String s : List.of("operator.write", "operator.approvals", "operator.pairing",
        "operator.talk.secrets", "operator.questions", "operator.custom")) {
      assertTrue(allows(OP, s, "operator.admin"), s);
    }
    assertTrue(allows(OP, "operator.write operator.approvals operator.pairing", "operator.admin"));
  }

  @Test
  void writeImpliesReadAndTalkOnly() {
    assertTrue(allows(OP, "operator.talk", "operator.write"));
    assertFalse(allows(OP, "operator.approvals", "operator.write"));
    assertFalse(allows(OP, "operator.talk.secrets", "operator.write"));
    assertFalse(allows(OP, "operator.admin", "operator.write"));
  }

  @Test
  void noCrossImplicationBetweenNonAdminScopes() {
    assertFalse(allows(OP, "operator.write", "operator.approvals"));
    assertFalse(allows(OP, "operator.approvals", "operator.write"));
    assertFalse(allows(OP, "operator.custom", "operator.write"));
  }

  @Test
  void emptyRequestIsAlwaysAllowed() {
    assertTrue(allows(OP, ""));
    assertTrue(allows(Role.NODE, ""));
  }

  @Test
  void nonOperatorRolesNeedTheirPrefixAndExactMatch() {
    assertTrue(allows(Role.NODE, "node.exec", "node.exec"));
    assertFalse(allows(Role.NODE, "node.exec", "node.other"));
    assertFalse(allows(Role.NODE, "system.run", "system.run"), "unprefixed scope never held");
    assertFalse(allows(Role.NODE, "operator.read", "operator.admin"));
    assertFalse(allows(Role.NODE, "node.exec", "operator.admin"), "admin is an operator scope");
    assertFalse(p.admissible(Role.NODE, Scope.of("operator.read")));
    assertFalse(p.admissible(OP, Scope.of("node.exec")));
    assertTrue(p.admissible(Role.of("worker"), Scope.of("worker.jobs")));
  }

  @Test
  void missingListsExactlyTheUnimpliedScopes() {
    assertEquals(List.of(Scope.of("operator.approvals"), Scope.of("operator.pairing")),
        p.missing(OP, ScopeSet.of("operator.read", "operator.approvals", "operator.pairing"),
            ScopeSet.of("operator.write")));
    assertEquals(List.of(), p.missing(OP, ScopeSet.of("operator.read"), ScopeSet.of("operator.admin")));
  }

  @Test
  void relationIsReflexiveTransitiveAndMonotoneOnTheOperatorVocabulary() {
    List<String> vocab = List.of("operator.admin", "operator.read", "operator.write",
        "operator.approvals", "operator.pairing", "operator.talk", "operator.talk.secrets");
    // Enumerate every subset of the vocabulary (2^7 = 128) and check the preorder laws.
    int n = vocab.size();
    ScopeSet[] sets = new ScopeSet[1 << n];
    for (int m = 0; m < sets.length; m++) {
      List<String> names = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        if ((m & (1 << i)) != 0) {
          names.add(vocab.get(i));
        }
      }
      sets[m] = ScopeSet.parse(names);
    }
    for (ScopeSet a : sets) {
      assertTrue(p.allows(OP, a, a), "reflexive " + a);
      for (ScopeSet b : sets) {
        if (p.allows(OP, a, b)) {
          assertTrue(p.allows(OP, a, b.union(ScopeSet.of("operator.pairing"))), "monotone");
          for (int k = 0; k < sets.length; k += 7) {
            ScopeSet c = sets[k];
            if (p.allows(OP, b, c)) {
              assertTrue(p.allows(OP, a, c), "transitive " + a + " <= " + b + " <= " + c);
            }
          }
        }
      }
    }
  }
}
