package io.pairgate.policy;

import io.pairgate.AuthMethod;
import io.pairgate.ErrorCode;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PairgateException;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * An operator's opt-in standing approval (R11.3 of {@code docs/semantics.md}): "approve, without
 * asking me, requests for at most these roles and scopes from devices matching these conditions".
 * For example, first-time {@code node} devices with no scopes from the lab network:
 *
 * <pre>{@code
 * StandingApproval.builder("lab-nodes")
 *     .roles(Role.NODE)
 *     .from("10.20.0.0/16")
 *     .build();                       // reasons default to not-paired, maxScopes to none
 * }</pre>
 *
 * A standing approval applies to the whole request the connect would leave pending (the union of
 * everything the device asked for since its last approval), never to a part of it. It never
 * applies to a connect carrying a browser {@code Origin}, to a client whose address could not be
 * resolved when {@link #from()} is set, or to a role an operator revoked (R11.4).
 *
 * @param name a short name for audit ({@code approvedVia} is {@code "standing"}, the approver is
 *     {@code "standing:<name>"}): letters, digits, {@code . _ -}, at most 64 characters
 * @param roles the roles it may grant; every role of the request must be one of them
 * @param maxScopes the ceiling: every requested scope must be implied by it (under the service's
 *     {@link ScopePolicy})
 * @param from client address ranges; the resolved client address must lie in one of them. Empty:
 *     any address.
 * @param reasons the reasons it covers; every aspect the request changes must be one of them
 *     (default: {@link UpgradeReason#NOT_PAIRED} only)
 * @param authMethods the auth methods it accepts; empty: any
 * @param clientKinds the client kinds it accepts; empty: any
 */
public record StandingApproval(
    String name,
    List<Role> roles,
    ScopeSet maxScopes,
    List<IpRange> from,
    Set<UpgradeReason> reasons,
    Set<AuthMethod> authMethods,
    Set<ClientKind> clientKinds) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * Validates and copies.
   *
   * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for a malformed name, no
   *     roles or no reasons
   */
  public StandingApproval {
    if (!NAME.matcher(name).matches()) {
      throw invalid("standing approval name must be 1-64 letters, digits, '.', '_' or '-': "
          + IpAddress.quote(name));
    }
    if (roles.isEmpty()) {
      throw invalid("standing approval '" + name + "' must name at least one role");
    }
    if (reasons.isEmpty()) {
      throw invalid("standing approval '" + name + "' must cover at least one reason");
    }
    roles = List.copyOf(new TreeSet<>(roles));
    from = List.copyOf(from);
    reasons = enumSet(reasons, UpgradeReason.class);
    authMethods = enumSet(authMethods, AuthMethod.class);
    clientKinds = enumSet(clientKinds, ClientKind.class);
  }

  private static <E extends Enum<E>> Set<E> enumSet(Collection<E> values, Class<E> type) {
    EnumSet<E> s = EnumSet.noneOf(type);
    s.addAll(values);
    return Collections.unmodifiableSet(s);
  }

  private static InvalidArgumentException invalid(String message) {
    return new InvalidArgumentException(message);
  }

  /** A builder for a standing approval with this name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /**
   * Whether this standing approval covers a request.
   *
   * @param address the connection's resolved client address
   * @param auth how the gateway authenticated the connection
   * @param kind what sort of client it is
   * @param browserOrigin whether the connection carried an {@code Origin} header
   * @param aspects what the request changes for the device: {@code not-paired}, or any of
   *     {@code role-upgrade}, {@code scope-upgrade}, {@code metadata-upgrade}
   * @param requestRoles every role the request asks for
   * @param requestScopes every scope the request asks for
   * @param policy the service's scope relation
   */
  public ApprovalVerdict check(
      ClientAddress address, AuthMethod auth, ClientKind kind, boolean browserOrigin,
      Set<UpgradeReason> aspects, List<Role> requestRoles, ScopeSet requestScopes,
      ScopePolicy policy) {
    String me = "standing approval '" + name + "'";
    if (browserOrigin) {
      return ApprovalVerdict.no(me + ": never for a connect with a browser Origin");
    }
    for (UpgradeReason r : aspects) {
      if (!reasons.contains(r)) {
        return ApprovalVerdict.no(me + ": covers " + wire(reasons) + ", the request is "
            + wire(aspects));
      }
    }
    if (!authMethods.isEmpty() && !authMethods.contains(auth)) {
      return ApprovalVerdict.no(me + ": auth " + auth.wireName() + " is not one of "
          + authMethods.stream().map(AuthMethod::wireName).toList());
    }
    if (!clientKinds.isEmpty() && !clientKinds.contains(kind)) {
      return ApprovalVerdict.no(me + ": client kind " + kind.wireName() + " is not one of "
          + clientKinds.stream().map(ClientKind::wireName).toList());
    }
    if (!from.isEmpty()) {
      IpAddress ip = address.isResolved() ? address.ip().orElse(null) : null;
      if (ip == null) {
        return ApprovalVerdict.no(me + ": the client address is not resolved ("
            + address.describe() + ")");
      }
      boolean in = false;
      for (IpRange r : from) {
        in |= r.contains(ip);
      }
      if (!in) {
        return ApprovalVerdict.no(me + ": client " + ip + " is not in " + from);
      }
    }
    for (Role r : requestRoles) {
      if (!roles.contains(r)) {
        return ApprovalVerdict.no(me + ": role " + r + " is not one of " + roles);
      }
    }
    List<Scope> over = new ArrayList<>();
    for (Role r : requestRoles) {
      for (Scope s : policy.missing(r, policy.admissibleFor(r, requestScopes), maxScopes)) {
        if (!over.contains(s)) {
          over.add(s);
        }
      }
    }
    if (!over.isEmpty()) {
      return ApprovalVerdict.no(me + ": scopes " + over + " exceed its ceiling ["
          + maxScopes + "]");
    }
    return ApprovalVerdict.yes(me + ": roles " + requestRoles + " scopes [" + requestScopes
        + "] within roles " + roles + " scopes [" + maxScopes + "]");
  }

  private static String wire(Set<UpgradeReason> rs) {
    return rs.stream().map(UpgradeReason::wireName).toList().toString();
  }

  /** Builds a {@link StandingApproval}; each option is validated as it is set. */
  public static final class Builder {
    private final String name;
    private final List<Role> roles = new ArrayList<>();
    private ScopeSet maxScopes = ScopeSet.empty();
    private final List<IpRange> from = new ArrayList<>();
    private Set<UpgradeReason> reasons = EnumSet.of(UpgradeReason.NOT_PAIRED);
    private Set<AuthMethod> authMethods = EnumSet.noneOf(AuthMethod.class);
    private Set<ClientKind> clientKinds = EnumSet.noneOf(ClientKind.class);

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** The roles it may grant (at least one). */
    public Builder roles(Role... roles) {
      this.roles.addAll(Arrays.asList(roles));
      return this;
    }

    /** The scope ceiling (default: none, so only requests with no scopes qualify). */
    public Builder maxScopes(ScopeSet scopes) {
      this.maxScopes = Objects.requireNonNull(scopes, "scopes");
      return this;
    }

    /**
     * The scope ceiling by name.
     *
     * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} for a malformed scope
     */
    public Builder maxScopes(String... scopes) {
      this.maxScopes = ScopeSet.parse(Arrays.asList(scopes));
      return this;
    }

    /**
     * Client address ranges ({@code 10.0.0.0/8}, {@code fd00::/8}, single addresses).
     *
     * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} naming a malformed entry
     */
    public Builder from(String... ranges) {
      for (String r : ranges) {
        try {
          from.add(IpRange.parse(r));
        } catch (PairgateException e) {
          throw invalid("standing approval '" + name + "': " + e.getMessage());
        }
      }
      return this;
    }

    /** The reasons it covers (default: {@code not-paired} only). */
    public Builder reasons(UpgradeReason... reasons) {
      this.reasons = EnumSet.noneOf(UpgradeReason.class);
      this.reasons.addAll(Arrays.asList(reasons));
      return this;
    }

    /** The auth methods it accepts (default: any). */
    public Builder authMethods(AuthMethod... methods) {
      this.authMethods = EnumSet.noneOf(AuthMethod.class);
      this.authMethods.addAll(Arrays.asList(methods));
      return this;
    }

    /** The client kinds it accepts (default: any). */
    public Builder clientKinds(ClientKind... kinds) {
      this.clientKinds = EnumSet.noneOf(ClientKind.class);
      this.clientKinds.addAll(Arrays.asList(kinds));
      return this;
    }

    /**
     * Builds it.
     *
     * @throws InvalidArgumentException with {@link ErrorCode#INVALID_ARGUMENT} if the name is malformed,
     *     no role was given or no reason is covered
     */
    public StandingApproval build() {
      return new StandingApproval(name, roles, maxScopes, from, reasons, authMethods, clientKinds);
    }
  }
}
