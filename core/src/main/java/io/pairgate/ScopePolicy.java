package io.pairgate;

import io.pairgate.internal.OpenClawScopes;
import java.util.List;

/**
 * <b>The one scope implication relation.</b> Every place that compares scopes — the connect
 * decision, device-token verification, token issuance and rotation, approval authorization, and
 * the gateway's own method checks — asks this object, so that no two of them can disagree about
 * what a grant implies (the disagreement that caused OpenClaw's scope-upgrade loop).
 *
 * <p>The default is {@link #openClaw()}. Gateways with their own scope vocabulary may implement
 * this interface; an implementation must be a preorder: {@code allows(r, S, S)} holds, and if
 * {@code allows(r, A, B)} and {@code allows(r, B, C)} then {@code allows(r, A, C)}. It must also be
 * monotone in the grant: adding scopes to {@code granted} never turns an allowed request into a
 * refused one.
 */
public interface ScopePolicy {

  /**
   * OpenClaw's relation: for {@code operator}, {@code operator.admin} implies every
   * {@code operator.*} scope and {@code operator.write} implies {@code operator.read} and
   * {@code operator.talk}; any other operator scope needs an exact match (or admin). For any other
   * role {@code R}, a scope must start with {@code R.} and match exactly. A scope that does not
   * belong to the role's namespace is never admissible.
   */
  static ScopePolicy openClaw() {
    // The rules live in internal.OpenClawScopes, which does not know this interface: no circle.
    return new ScopePolicy() {
      @Override
      public boolean admissible(Role role, Scope scope) {
        return OpenClawScopes.admissible(role, scope);
      }

      @Override
      public boolean implies(Role role, Scope requested, ScopeSet granted) {
        return OpenClawScopes.implies(role, requested, granted);
      }

      @Override
      public boolean allows(Role role, ScopeSet requested, ScopeSet granted) {
        return OpenClawScopes.allows(role, requested, granted);
      }

      @Override
      public String toString() {
        return "ScopePolicy.openClaw()";
      }
    };
  }

  /**
   * Whether {@code role} can ever hold {@code scope}. A connect asking for an inadmissible scope
   * is rejected with {@link ErrorCode#INVALID_SCOPE} instead of producing a request no approval
   * could satisfy.
   */
  boolean admissible(Role role, Scope scope);

  /** Whether {@code granted} implies the single scope {@code requested} for {@code role}. */
  boolean implies(Role role, Scope requested, ScopeSet granted);

  /** Whether {@code granted} implies every scope in {@code requested} for {@code role}. */
  default boolean allows(Role role, ScopeSet requested, ScopeSet granted) {
    for (Scope s : requested) {
      if (!implies(role, s, granted)) {
        return false;
      }
    }
    return true;
  }

  /** The scopes of {@code requested} that {@code granted} does not imply, in sorted order. */
  default List<Scope> missing(Role role, ScopeSet requested, ScopeSet granted) {
    return requested.filter(s -> !implies(role, s, granted)).scopes();
  }

  /** The members of {@code scopes} that {@code role} can hold ({@link #admissible}). */
  default ScopeSet admissibleFor(Role role, ScopeSet scopes) {
    return scopes.filter(s -> admissible(role, s));
  }

  /**
   * Whether one of {@code roles} can hold {@code scope} ({@link #admissible}) and {@code granted}
   * implies it for that role. This is what "part of a request" means for a request asking for
   * several roles: {@link PendingRequest#scopesOutside} and the approval preview use it.
   */
  default boolean impliesForAnyRole(List<Role> roles, Scope scope, ScopeSet granted) {
    for (Role r : roles) {
      if (admissible(r, scope) && implies(r, scope, granted)) {
        return true;
      }
    }
    return false;
  }
}
