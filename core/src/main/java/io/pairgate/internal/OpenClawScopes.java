package io.pairgate.internal;

import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;

/**
 * Owns OpenClaw's scope relation (R2) as two pure functions; {@code ScopePolicy.openClaw()} is a
 * policy over them. It does not know the {@code ScopePolicy} interface, so the interface and its
 * default implementation do not import each other.
 */
public final class OpenClawScopes {
  private OpenClawScopes() {}

  /** Whether {@code role} can ever hold {@code scope}: the scope is in the role's namespace. */
  public static boolean admissible(Role role, Scope scope) {
    return scope.belongsTo(role);
  }

  /**
   * Whether {@code granted} implies {@code requested} for {@code role}: an exact match, or for
   * {@code operator} the admin scope, or {@code operator.write} for read and talk.
   */
  public static boolean implies(Role role, Scope requested, ScopeSet granted) {
    if (!requested.belongsTo(role)) {
      return false;
    }
    if (granted.contains(requested)) {
      return true;
    }
    if (!role.equals(Role.OPERATOR)) {
      return false;
    }
    if (granted.contains(Scope.OPERATOR_ADMIN)) {
      return true;
    }
    String r = requested.value();
    return (r.equals("operator.read") || r.equals("operator.talk"))
        && granted.contains(Scope.OPERATOR_WRITE);
  }

  /** What {@code operator.write} implies besides itself. */
  private static final ScopeSet READ_AND_TALK =
      ScopeSet.of(java.util.List.of(Scope.OPERATOR_READ, Scope.OPERATOR_TALK));

  /**
   * The same relation as {@link #implies} for every member of {@code requested}, as set
   * operations: on the well-known operator scopes these are bitmask tests without allocation (the
   * decision's hot path).
   */
  public static boolean allows(Role role, ScopeSet requested, ScopeSet granted) {
    if (!requested.allBelongTo(role)) {
      return false;
    }
    if (granted.containsAll(requested)) {
      return true;
    }
    if (!role.equals(Role.OPERATOR)) {
      return false;
    }
    if (granted.contains(Scope.OPERATOR_ADMIN)) {
      return true;
    }
    return granted.contains(Scope.OPERATOR_WRITE)
        && granted.union(READ_AND_TALK).containsAll(requested);
  }
}
