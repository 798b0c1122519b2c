package io.pairgate.cli;

import io.pairgate.RequestId;
import io.pairgate.DeviceId;
import io.pairgate.ErrorCode;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.InvalidArgumentException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Questions about requests and devices that several commands ask. */
final class Requests {
  private Requests() {}

  /** The request's scopes that the baseline does not imply (all of them when not paired). */
  static List<Scope> missing(ScopePolicy policy, PendingRequest p,
      @Nullable PairedDeviceSummary paired) {
    if (paired == null || !paired.publicKey().equals(p.publicKey())) {
      return p.scopes().scopes();
    }
    List<Scope> out = new ArrayList<>();
    for (Scope s : p.scopes()) {
      if (!policy.impliesForAnyRole(p.roles(), s, paired.approvedScopes())) {
        out.add(s);
      }
    }
    return out;
  }

  /** Roles of the request the device is not approved for (all of them when not paired). */
  static List<Role> newRoles(PendingRequest p, @Nullable PairedDeviceSummary paired) {
    if (paired == null || !paired.publicKey().equals(p.publicKey())) {
      return p.roles();
    }
    List<Role> out = new ArrayList<>(p.roles());
    out.removeAll(paired.roles());
    return out;
  }

  static @Nullable PairedDeviceSummary pairedOf(PairingListing l, DeviceId id) {
    for (PairedDeviceSummary d : l.paired()) {
      if (d.deviceId().equals(id)) {
        return d;
      }
    }
    return null;
  }

  /**
   * A request id given on the command line: a malformed one is a usage error (exit 2) naming
   * the rule, before any store is opened.
   */
  static RequestId id(String text) {
    try {
      return RequestId.of(text);
    } catch (InvalidArgumentException e) {
      throw new Errors.UsageException(e.getMessage());
    }
  }

  static @Nullable PendingRequest find(PairingListing l, RequestId requestId) {
    for (PendingRequest p : l.pending()) {
      if (p.requestId().equals(requestId)) {
        return p;
      }
    }
    return null;
  }

  /**
   * Resolves a device id, or a unique prefix of at least 6 hex digits of a device the store
   * holds.
   */
  static DeviceId device(PairingStore store, String arg) {
    String a = arg.strip().toLowerCase(java.util.Locale.ROOT);
    if (DeviceId.isWellFormed(a)) {
      return DeviceId.parse(a);
    }
    if (a.length() < 6 || !a.matches("[0-9a-f]+")) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "not a device id (64 hex digits, or a unique prefix of at least 6): " + arg);
    }
    List<DeviceRecord> page = store.list(a.substring(0, a.length() - 1)
        + (char) (a.charAt(a.length() - 1) - 1) + "z", 3);
    List<DeviceId> matches = new ArrayList<>();
    for (DeviceRecord r : page) {
      if (r.deviceId().value().startsWith(a)) {
        matches.add(r.deviceId());
      }
    }
    if (matches.isEmpty()) {
      throw new PairgateException(ErrorCode.UNKNOWN_DEVICE, "no device id starts with " + a);
    }
    if (matches.size() > 1) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "device id prefix " + a + " is ambiguous: " + matches.get(0) + ", " + matches.get(1)
              + (page.size() > 2 ? ", …" : ""));
    }
    return matches.get(0);
  }

  /**
   * The scopes of a comma-separated (or repeated) option. An empty entry, as in
   * {@code operator.read,,operator.write}, is a usage error naming its position (1-based), never
   * an empty scope.
   */
  static ScopeSet scopes(String option, List<String> raw) {
    for (int i = 0; i < raw.size(); i++) {
      if (raw.get(i).isBlank()) {
        throw new Errors.UsageException(option + ": empty scope at position " + (i + 1) + " in "
            + Out.safe(String.join(",", raw)) + " (remove the extra comma)");
      }
    }
    return ScopeSet.parse(raw);
  }

  /**
   * What the live request {@code p} looks like narrowed to {@code subset}, for the approval
   * preview, by core's partial-approval rule ({@link PendingRequest#scopesOutside}); nothing is
   * written (the narrowing happens atomically inside
   * {@link io.pairgate.PairingService#approve(String, io.pairgate.Approver, ScopeSet)}).
   *
   * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} if a scope is not part of the
   *     request
   */
  static PendingRequest narrowed(ScopePolicy policy, PendingRequest p, ScopeSet subset) {
    ScopeSet outside = p.scopesOutside(policy, subset);
    if (!outside.isEmpty()) {
      throw new PairgateException(ErrorCode.INVALID_ARGUMENT,
          "--as-scopes may only narrow the request: " + String.join(",", outside.names())
              + " is not part of request " + p.requestId() + " (it asks for "
              + Out.scopes(p.scopes()) + ")");
    }
    return p.withScopes(subset);
  }
}
