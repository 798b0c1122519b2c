package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The mask fast paths of {@link ScopeSet} and of the OpenClaw policy's {@code allows} agree with
 * plain set algebra on names and with the policy's per-scope {@code implies}, for random sets that
 * mix the well-known operator scopes, other operator scopes, other roles' scopes and well-known
 * names built without {@link Scope#of} (so not the shared constants).
 */
class ScopeSetMaskTest {
  private static final List<String> VOCABULARY = List.of(
      "operator.admin", "operator.read", "operator.write", "operator.approvals",
      "operator.pairing", "operator.talk", "operator.custom", "operator.talk.secrets",
      "node.exec", "node.read", "operator", "a.b");
  private static final ScopePolicy POLICY = ScopePolicy.openClaw();
  private static final List<Role> ROLES = List.of(Role.OPERATOR, Role.NODE, Role.of("a"));

  private static ScopeSet randomSet(Random r) {
    int n = r.nextInt(8);
    List<Scope> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = VOCABULARY.get(r.nextInt(VOCABULARY.size()));
      out.add(r.nextBoolean() ? Scope.of(name) : new Scope(name)); // duplicates on purpose
    }
    return r.nextBoolean() ? ScopeSet.of(out) : new ScopeSet(out);
  }

  private static TreeSet<String> names(ScopeSet s) {
    return new TreeSet<>(s.names());
  }

  /** What {@code allows} means: every requested scope implied on its own. */
  private static boolean allowsByImplies(Role role, ScopeSet requested, ScopeSet granted) {
    for (Scope s : requested) {
      if (!POLICY.implies(role, s, granted)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void setAlgebraAgreesWithSetsOfNames() {
    Random r = new Random(20261204);
    for (int i = 0; i < 20_000; i++) {
      ScopeSet a = randomSet(r);
      ScopeSet b = randomSet(r);
      TreeSet<String> na = names(a);
      TreeSet<String> nb = names(b);
      assertEquals(new ArrayList<>(na), a.names(), "sorted and deduplicated");
      assertEquals(na.containsAll(nb), a.containsAll(b), a + " ⊇ " + b);
      TreeSet<String> u = new TreeSet<>(na);
      u.addAll(nb);
      assertEquals(new ArrayList<>(u), a.union(b).names(), a + " ∪ " + b);
      TreeSet<String> m = new TreeSet<>(na);
      m.removeAll(nb);
      assertEquals(new ArrayList<>(m), a.minus(b).names(), a + " − " + b);
      assertEquals(na.equals(nb), a.equals(b), a + " = " + b);
      if (na.equals(nb)) {
        assertEquals(a.hashCode(), b.hashCode());
      }
      assertEquals(new ArrayList<>(na).hashCode(), a.scopes().hashCode(), "a List's hash code");
      for (String v : VOCABULARY) {
        assertEquals(na.contains(v), a.contains(v), a + " ∋ " + v);
        assertEquals(na.contains(v), a.contains(new Scope(v)), a + " ∋ new Scope " + v);
      }
      for (Role role : ROLES) {
        boolean all = true;
        for (Scope s : a) {
          all &= s.belongsTo(role);
        }
        assertEquals(all, a.allBelongTo(role), a + " all belong to " + role);
      }
    }
  }

  @Test
  void openClawAllowsAgreesWithImpliesForEveryScope() {
    Random r = new Random(7);
    int allowed = 0;
    for (int i = 0; i < 50_000; i++) {
      ScopeSet req = randomSet(r);
      ScopeSet granted = randomSet(r);
      for (Role role : ROLES) {
        boolean expected = allowsByImplies(role, req, granted);
        assertEquals(expected, POLICY.allows(role, req, granted),
            role + ": " + req + " within " + granted);
        allowed += expected ? 1 : 0;
      }
    }
    assertTrue(allowed > 1000, "the generator also produces allowed cases: " + allowed);
  }

  @Test
  void equalSetsOfWellKnownScopesAreOneInstance() {
    ScopeSet a = ScopeSet.of("operator.write", "operator.read");
    ScopeSet b = ScopeSet.parse(List.of("operator.read", "operator.write", "operator.read"));
    assertSame(a, b);
    assertEquals(List.of(Scope.OPERATOR_READ, Scope.OPERATOR_WRITE), a.scopes());
    assertSame(Scope.OPERATOR_READ, new ScopeSet(List.of(new Scope("operator.read"))).scopes()
        .get(0), "a well-known name is kept as the shared constant");
    ScopeSet custom = ScopeSet.of("operator.custom", "operator.read");
    assertFalse(custom.contains(Scope.OPERATOR_WRITE));
    assertTrue(custom.contains("operator.custom"));
  }
}
