package io.pairgate;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A {@link PairedDevice} as listings show it: tokens as {@link TokenSummary summaries}, no secrets.
 *
 * @param deviceId the device
 * @param publicKey its key
 * @param roles approved roles
 * @param approvedScopes approved scope baseline
 * @param client client details from the last approval
 * @param label operator-chosen name, or empty
 * @param tokens token summaries, sorted by role
 * @param createdAt first approval
 * @param approvedAt latest approval
 * @param lastSeenAt latest allowed connect, if known
 * @param approvedVia how the latest approval happened
 * @param remoteAddress client address at the latest approval, or empty
 * @param browserOrigin browser {@code Origin} of the approved request, or empty
 * @param lastSeenReason why {@code lastSeenAt} was last set ({@code "connect"}), or empty
 */
public record PairedDeviceSummary(
    DeviceId deviceId, DevicePublicKey publicKey, List<Role> roles, ScopeSet approvedScopes,
    ClientInfo client, String label, List<TokenSummary> tokens, Instant createdAt,
    Instant approvedAt, @Nullable Instant lastSeenAt, String approvedVia, String remoteAddress,
    String browserOrigin, String lastSeenReason) {

  /** Copies the lists. */
  public PairedDeviceSummary {
    roles = List.copyOf(roles);
    tokens = List.copyOf(tokens);
  }
}
