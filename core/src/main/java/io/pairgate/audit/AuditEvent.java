package io.pairgate.audit;

import io.pairgate.ErrorCode;
import io.pairgate.RequestId;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Something that changed (or was refused) in a {@link io.pairgate.PairingService}, reported to
 * every {@link AuditListener} after the change was committed (R14 of {@code docs/semantics.md}).
 * No event ever carries a token secret.
 *
 * <p>Every event has a time, a device id, a stable {@link #type()} and a {@link #logLine()} of the
 * form {@code <message> key=value key=value …} whose keys, for a given type, never change order.
 * Values with spaces, quotes, {@code =} or control characters are double-quoted with backslash
 * escapes; lists are written as {@code [a,b]}.
 */
public sealed interface AuditEvent
    permits AuditEvent.PairingRequested,
        AuditEvent.UpgradeRequested,
        AuditEvent.RequestRefreshed,
        AuditEvent.RequestSuperseded,
        AuditEvent.RequestApproved,
        AuditEvent.RequestRejected,
        AuditEvent.RequestExpired,
        AuditEvent.TokenRotated,
        AuditEvent.TokenRevoked,
        AuditEvent.DeviceRemoved,
        AuditEvent.DeviceBlocked,
        AuditEvent.DeviceUnblocked,
        AuditEvent.DeviceRenamed,
        AuditEvent.ConnectRejected {

  /** When it happened (the service's clock). */
  Instant at();

  /** The device id (for {@link ConnectRejected}, the id the client claimed, sanitized). */
  String deviceId();

  /** The stable kebab-case type, e.g. {@code upgrade-requested}. */
  String type();

  /** The fixed message that starts the log line, e.g. {@code device access upgrade requested}. */
  String message();

  /** The key=value fields of the log line, in their stable order. */
  Map<String, String> fields();

  /** {@link #message()} followed by the {@link #fields()} as {@code key=value}. */
  default String logLine() {
    StringBuilder b = new StringBuilder(message());
    for (Map.Entry<String, String> e : fields().entrySet()) {
      b.append(' ').append(e.getKey()).append('=').append(Fields.value(e.getValue()));
    }
    return b.toString();
  }

  /**
   * A device that is not paired (or not with this key) asked to be: a new request id was minted.
   *
   * @param at when
   * @param deviceId the device
   * @param requestId the new request
   * @param role the role of the connect
   * @param roles every role the request asks for
   * @param scopes every scope the request asks for
   * @param remoteAddress the resolved client address (R10), or empty
   * @param locality the connection's locality class ({@code direct_local}, …, {@code remote})
   * @param clientId the client's id
   * @param platform the client's platform as sent
   */
  record PairingRequested(
      Instant at, String deviceId, RequestId requestId, Role role, List<Role> roles, ScopeSet scopes,
      String remoteAddress, String locality, String clientId, String platform)
      implements AuditEvent {
    /** Copies the list. */
    public PairingRequested {
      roles = List.copyOf(roles);
    }

    @Override
    public String type() {
      return "pairing-requested";
    }

    @Override
    public String message() {
      return "device pairing requested";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("requestId", requestId).put("role", role)
          .put("roles", roles).put("scopes", scopes).put("remoteAddress", remoteAddress)
          .put("locality", locality).put("client", clientId).put("platform", platform).map;
    }
  }

  /**
   * A paired device asked for more than it holds (a role, scopes, or a changed platform or device
   * family): a new request id was minted.
   *
   * @param at when
   * @param deviceId the device
   * @param requestId the new request
   * @param reason why
   * @param rolesFrom the approved roles now
   * @param rolesTo the approved roles if the request is approved
   * @param scopesFrom the approved scope baseline now
   * @param scopesTo the baseline if the request is approved
   * @param missing the scopes of the connect that the baseline does not imply
   * @param platformFrom the pinned platform
   * @param platformTo the platform the request carries
   * @param deviceFamilyFrom the pinned device family
   * @param deviceFamilyTo the device family the request carries
   * @param remoteAddress the resolved client address (R10), or empty
   * @param locality the connection's locality class
   */
  record UpgradeRequested(
      Instant at, String deviceId, RequestId requestId, UpgradeReason reason, List<Role> rolesFrom,
      List<Role> rolesTo, ScopeSet scopesFrom, ScopeSet scopesTo, List<Scope> missing,
      String platformFrom, String platformTo, String deviceFamilyFrom, String deviceFamilyTo,
      String remoteAddress, String locality)
      implements AuditEvent {
    /** Copies the lists. */
    public UpgradeRequested {
      rolesFrom = List.copyOf(rolesFrom);
      rolesTo = List.copyOf(rolesTo);
      missing = List.copyOf(missing);
    }

    @Override
    public String type() {
      return "upgrade-requested";
    }

    @Override
    public String message() {
      return "device access upgrade requested";
    }

    @Override
    public Map<String, String> fields() {
      Fields f = new Fields().put("reason", reason.wireName()).put("device", deviceId)
          .put("requestId", requestId).put("rolesFrom", rolesFrom).put("rolesTo", rolesTo)
          .put("scopesFrom", scopesFrom).put("scopesTo", scopesTo).put("missing", missing);
      if (reason == UpgradeReason.METADATA_UPGRADE) {
        f.put("platformFrom", platformFrom).put("platformTo", platformTo)
            .put("deviceFamilyFrom", deviceFamilyFrom).put("deviceFamilyTo", deviceFamilyTo);
      }
      return f.put("remoteAddress", remoteAddress).put("locality", locality).map;
    }
  }

  /**
   * A connect covered by the pending request extended its expiry (written at most once per
   * {@code pendingTtl / 10}, R5.3).
   *
   * @param at when
   * @param deviceId the device
   * @param requestId the request (unchanged)
   * @param expiresAt the new expiry
   */
  record RequestRefreshed(Instant at, String deviceId, RequestId requestId, Instant expiresAt)
      implements AuditEvent {
    @Override
    public String type() {
      return "request-refreshed";
    }

    @Override
    public String message() {
      return "device pairing request refreshed";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("requestId", requestId)
          .put("expiresAt", expiresAt.toString()).map;
    }
  }

  /**
   * A wider request replaced the pending one; the old id can no longer be approved (R5.4).
   *
   * @param at when
   * @param deviceId the device
   * @param oldRequestId the replaced request
   * @param newRequestId its successor
   */
  record RequestSuperseded(
      Instant at, String deviceId, RequestId oldRequestId, RequestId newRequestId)
      implements AuditEvent {
    @Override
    public String type() {
      return "request-superseded";
    }

    @Override
    public String message() {
      return "device pairing request superseded";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("requestId", oldRequestId)
          .put("supersededBy", newRequestId).map;
    }
  }

  /**
   * A request was approved, by an operator or automatically.
   *
   * @param at when
   * @param deviceId the device
   * @param requestId the approved request
   * @param approver who approved: the operator's {@link io.pairgate.Approver#name()}, or
   *     {@code silent}, {@code standing:<name>}, {@code pairing-disabled}
   * @param via {@code operator}, {@code silent}, {@code standing} or {@code pairing-disabled}
   *     (stored as {@link io.pairgate.PairedDevice#approvedVia()})
   * @param roles the approved roles after the approval
   * @param scopes the approved baseline after the approval
   * @param addedRoles roles the approval added
   * @param addedScopes scopes the approval added
   * @param remoteAddress the client address of the request, or empty
   */
  record RequestApproved(
      Instant at, String deviceId, RequestId requestId, String approver, String via,
      List<Role> roles, ScopeSet scopes, List<Role> addedRoles, ScopeSet addedScopes,
      String remoteAddress)
      implements AuditEvent {
    /** Copies the lists. */
    public RequestApproved {
      roles = List.copyOf(roles);
      addedRoles = List.copyOf(addedRoles);
    }

    /** Whether no operator was involved. */
    public boolean silent() {
      return !via.equals("operator");
    }

    @Override
    public String type() {
      return "request-approved";
    }

    @Override
    public String message() {
      return "device pairing approved";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("requestId", requestId)
          .put("approver", approver).put("via", via).put("roles", roles).put("scopes", scopes)
          .put("addedRoles", addedRoles).put("addedScopes", addedScopes)
          .put("remoteAddress", remoteAddress).map;
    }
  }

  /**
   * An operator rejected a pending request.
   *
   * @param at when
   * @param deviceId the device
   * @param requestId the rejected request
   */
  record RequestRejected(Instant at, String deviceId, RequestId requestId) implements AuditEvent {
    @Override
    public String type() {
      return "request-rejected";
    }

    @Override
    public String message() {
      return "device pairing rejected";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("requestId", requestId).map;
    }
  }

  /**
   * A request's expiry was recorded: a later connect of the device found it expired and replaced
   * it (R5.2). Requests that expire while their device stays away produce no event.
   *
   * @param at when it was recorded
   * @param deviceId the device
   * @param requestId the expired request
   * @param expiredAt when it expired
   */
  record RequestExpired(Instant at, String deviceId, RequestId requestId, Instant expiredAt)
      implements AuditEvent {
    @Override
    public String type() {
      return "request-expired";
    }

    @Override
    public String message() {
      return "device pairing request expired";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("requestId", requestId)
          .put("expiredAt", expiredAt.toString()).map;
    }
  }

  /**
   * An operator rotated a device token (a new secret; the secret is not part of the event).
   *
   * @param at when
   * @param deviceId the device
   * @param role the token's role
   * @param scopes the new token's scopes
   */
  record TokenRotated(Instant at, String deviceId, Role role, ScopeSet scopes)
      implements AuditEvent {
    @Override
    public String type() {
      return "token-rotated";
    }

    @Override
    public String message() {
      return "device token rotated";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("role", role).put("scopes", scopes).map;
    }
  }

  /**
   * An operator revoked a device token.
   *
   * @param at when
   * @param deviceId the device
   * @param role the token's role
   */
  record TokenRevoked(Instant at, String deviceId, Role role) implements AuditEvent {
    @Override
    public String type() {
      return "token-revoked";
    }

    @Override
    public String message() {
      return "device token revoked";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("role", role).map;
    }
  }

  /**
   * An operator removed a paired device.
   *
   * @param at when
   * @param deviceId the device
   * @param roles the roles it had
   * @param droppedRequestId its pending request, dropped with it, or null
   */
  record DeviceRemoved(
      Instant at, String deviceId, List<Role> roles, @Nullable RequestId droppedRequestId)
      implements AuditEvent {
    /** Copies the list. */
    public DeviceRemoved {
      roles = List.copyOf(roles);
    }

    @Override
    public String type() {
      return "device-removed";
    }

    @Override
    public String message() {
      return "device removed";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("roles", roles)
          .put("droppedRequestId", droppedRequestId).map;
    }
  }

  /**
   * An operator blocked a device.
   *
   * @param at when
   * @param deviceId the device
   * @param droppedRequestId its pending request, dropped by the block, or null
   */
  record DeviceBlocked(Instant at, String deviceId, @Nullable RequestId droppedRequestId)
      implements AuditEvent {
    @Override
    public String type() {
      return "device-blocked";
    }

    @Override
    public String message() {
      return "device blocked";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("droppedRequestId", droppedRequestId).map;
    }
  }

  /**
   * An operator lifted a block.
   *
   * @param at when
   * @param deviceId the device
   */
  record DeviceUnblocked(Instant at, String deviceId) implements AuditEvent {
    @Override
    public String type() {
      return "device-unblocked";
    }

    @Override
    public String message() {
      return "device unblocked";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).map;
    }
  }

  /**
   * An operator relabelled a paired device.
   *
   * @param at when
   * @param deviceId the device
   * @param label the new label
   */
  record DeviceRenamed(Instant at, String deviceId, String label) implements AuditEvent {
    @Override
    public String type() {
      return "device-renamed";
    }

    @Override
    public String message() {
      return "device renamed";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("device", deviceId).put("label", label).map;
    }
  }

  /**
   * A connect was refused ({@link io.pairgate.ConnectResult.Rejected}); nothing was written.
   *
   * @param at when
   * @param deviceId the device id the client claimed (sanitized and shortened if malformed)
   * @param code the typed cause
   * @param detail the rejection message
   * @param remoteAddress the resolved client address (R10), or empty
   */
  record ConnectRejected(
      Instant at, String deviceId, ErrorCode code, String detail, String remoteAddress)
      implements AuditEvent {
    @Override
    public String type() {
      return "connect-rejected";
    }

    @Override
    public String message() {
      return "device connect rejected";
    }

    @Override
    public Map<String, String> fields() {
      return new Fields().put("cause", code.wireName()).put("device", deviceId)
          .put("remoteAddress", remoteAddress).put("detail", detail).map;
    }
  }
}
