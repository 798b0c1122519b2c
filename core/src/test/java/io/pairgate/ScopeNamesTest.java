package io.pairgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a scope name may be, which role it belongs to, and set membership by name. */
class ScopeNamesTest {

  @Test
  void everyLetterAndDigitMayStartANameAndNothingElse() {
    for (String ok : List.of("a", "z", "A", "Z", "0", "9", "m.x", "a_b", "a:b", "a-b", "a.b.c")) {
      assertTrue(Scope.isWellFormed(ok), ok);
      assertEquals(ok, Scope.of(ok).value());
    }
    for (String bad : List.of("", "`", "{", "@", "[", "/", ":", ".a", "_a", "-a", ":a", "a b",
        "a/b", "a|b", "a,b", "é")) {
      assertFalse(Scope.isWellFormed(bad), bad);
      assertEquals(ErrorCode.INVALID_SCOPE,
          assertThrows(PairgateException.class, () -> Scope.of(bad)).code());
    }
  }

  @Test
  void aNameHasAtMost128Characters() {
    assertTrue(Scope.isWellFormed("s".repeat(128)));
    assertFalse(Scope.isWellFormed("s".repeat(129)));
  }

  @Test
  void aScopeBelongsToARoleOnlyWithSomethingAfterTheRolesDot() {
    assertTrue(Scope.of("node.x").belongsTo(Role.NODE));
    assertFalse(Scope.of("node.").belongsTo(Role.NODE));
    assertFalse(Scope.of("nodes.x").belongsTo(Role.NODE));
    assertFalse(Scope.of("node").belongsTo(Role.NODE));
    assertTrue(Scope.of("operator.read").belongsTo(Role.OPERATOR));
    assertFalse(Scope.of("operator.read").belongsTo(Role.NODE));
  }

  @Test
  void setsAnswerMembershipByNameAndSize() {
    ScopeSet s = ScopeSet.of("operator.read", "operator.write", "node.exec");
    assertTrue(s.contains("operator.write"));
    assertTrue(s.contains("node.exec"));
    assertFalse(s.contains("zzz.after-every-member"));
    assertFalse(s.contains("aaa.before-every-member"));
    assertFalse(s.contains("operator.talk"));
    assertEquals(3, s.size());
    assertFalse(s.isEmpty());
    assertTrue(ScopeSet.empty().isEmpty());
    assertEquals(0, ScopeSet.empty().size());
    assertTrue(s.containsAll(ScopeSet.of("operator.read", "node.exec")));
    assertTrue(s.containsAll(ScopeSet.empty()));
    assertFalse(s.containsAll(ScopeSet.of("operator.read", "operator.admin")));
    assertSame(s, s.union(ScopeSet.of("operator.read")), "a union that adds nothing is the set itself");
  }
}
