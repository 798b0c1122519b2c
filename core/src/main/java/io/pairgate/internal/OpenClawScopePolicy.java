package io.pairgate.internal;

import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;

/** {@link ScopePolicy#openClaw()}. */
public final class OpenClawScopePolicy implements ScopePolicy {
  /** The single instance. */
  public static final OpenClawScopePolicy INSTANCE = new OpenClawScopePolicy();

  /** What {@code operator.write} implies besides itself. */
  private static final ScopeSet READ_AND_TALK =
      ScopeSet.of(java.util.List.of(Scope.OPERATOR_READ, Scope.OPERATOR_TALK));

  private OpenClawScopePolicy() {}

  @Override
  public boolean admissible(Role role, Scope scope) {
    return scope.belongsTo(role);
  }

  @Override
  public boolean implies(Role role, Scope requested, ScopeSet granted) {
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

  /**
   * The same relation as {@link #implies} for every member, as set operations: on the well-known
   * operator scopes these are bitmask tests without allocation (the decision's hot path).
   */
  @Override
  public boolean allows(Role role, ScopeSet requested, ScopeSet granted) {
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

  @Override
  public String toString() {
    return "ScopePolicy.openClaw()";
  }
}
