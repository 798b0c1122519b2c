/**
 * Connect policy: where a connection comes from and what may be approved without an operator.
 *
 * <ul>
 *   <li>{@link io.pairgate.policy.IpAddress} and {@link io.pairgate.policy.IpRange} parse address
 *       literals and CIDR ranges without any DNS lookup;
 *   <li>{@link io.pairgate.policy.TrustedProxies} and {@link io.pairgate.policy.ClientAddress}
 *       resolve the real client address behind reverse proxies ({@code X-Forwarded-For},
 *       {@code Forwarded}, optionally {@code X-Real-IP});
 *   <li>{@link io.pairgate.policy.Locality} classifies a connection as local or remote;
 *   <li>{@link io.pairgate.policy.SilentApproval} is the pure local silent-approval rule and
 *       {@link io.pairgate.policy.StandingApproval} an operator's opt-in standing approval.
 * </ul>
 *
 * <p>The rules are R10–R13 of {@code docs/semantics.md}; configure them on
 * {@link io.pairgate.PairingServiceBuilder}.
 */
@NullMarked
package io.pairgate.policy;

import org.jspecify.annotations.NullMarked;
