package io.pairgate.internal;

import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;

/** {@link ScopePolicy#openClaw()}. */
public final class OpenClawScopePolicy implements ScopePolicy {
  /** The single instance. */
  public static final OpenClawScopePolicy INSTANCE = new OpenClawScopePolicy();

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

  @Override
  public String toString() {
    return "ScopePolicy.openClaw()";
  }
}
