package io.pairgate;

/**
 * Who approves a request, and with what authority. To approve, the approver must hold (under the
 * service's {@link ScopePolicy}) every operator scope the request asks for, and
 * {@code operator.admin} to approve any non-operator role. Whether the approver may call approve
 * at all (OpenClaw requires {@code operator.pairing} for the method) is the gateway's method check.
 *
 * @param name who approves, for audit: a device id, a user name, {@code "cli"}
 * @param scopes the approver's operator scopes
 */
public record Approver(String name, ScopeSet scopes) {

  /** An approver holding {@code operator.admin}, which may approve anything. */
  public static Approver admin(String name) {
    return new Approver(name, ScopeSet.of("operator.admin"));
  }

  /** An approver holding these scopes. */
  public static Approver withScopes(String name, String... scopes) {
    return new Approver(name, ScopeSet.of(scopes));
  }
}
