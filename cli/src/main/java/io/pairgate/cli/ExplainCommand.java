package io.pairgate.cli;

import io.pairgate.RequestId;
import io.pairgate.DeviceExplanation;
import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.RequestExplanation;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code pairgate devices explain <requestId|deviceId>}: why a request is pending (reason,
 * missing scopes) and exactly what approving it would grant, what became of a resolved request,
 * or a device's state. The facts come from core's {@link PairingService#explainRequest} and
 * {@link PairingService#explainDevice}.
 */
@Command(name = "explain",
    description = "Why a request is pending and what approving it would grant (or a device's state).")
final class ExplainCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(paramLabel = "<requestId|deviceId>") String target;

  @Option(names = "--json", description = "Print the explanation as JSON.") boolean json;

  ExplainCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    try (StoreHandle h = cli.openForReading()) {
      PairingService service = cli.service(h);
      String arg = target.strip();
      Instant now = cli.clock.instant();
      if (arg.contains("-")) {
        RequestExplanation e = service.explainRequest(Requests.id(arg));
        if (e.status() == RequestExplanation.State.UNKNOWN) {
          throw new PairgateException(ErrorCode.UNKNOWN_REQUEST, "unknown request id " + arg
              + " (never seen, rejected and forgotten, or older than the retention period)");
        }
        PairedDevice paired = e.deviceId() == null ? null : service.device(e.deviceId()).orElse(null);
        if (json) {
          ObjectNode o = request(e);
          o.put("kind", "request");
          cli.out.println(Out.pretty(o));
        } else {
          printRequest(e, paired, now, "");
        }
        return Main.OK;
      }
      String lower = arg.toLowerCase(Locale.ROOT);
      for (var bad : h.unreadable().entrySet()) {
        if (lower.length() >= 6 && bad.getKey().startsWith(lower)) {
          throw bad.getValue(); // the device the operator asks about is the unreadable one
        }
      }
      DeviceId id = Requests.device(h.store(), arg);
      DeviceExplanation d = service.explainDevice(id);
      if (json) {
        cli.out.println(Out.pretty(device(d)));
      } else {
        printDevice(d, service.device(id).orElse(null), now);
      }
      return Main.OK;
    }
  }

  /** The documented JSON form of a request explanation (without "kind"). */
  static ObjectNode request(RequestExplanation e) {
    ObjectNode o = Out.object();
    o.put("kind", "request");
    o.put("requestId", e.requestId().value());
    o.put("status", e.status().name().toLowerCase(Locale.ROOT));
    o.put("deviceId", e.deviceId() == null ? null : e.deviceId().value());
    o.put("successorRequestId", RequestId.valueOrEmpty(e.successorRequestId()));
    PendingRequest r = e.request();
    if (r == null) {
      o.putNull("request");
    } else {
      ObjectNode ro = Out.object();
      ro.put("reason", r.reason().wireName());
      ro.put("role", r.role().name());
      Out.strings(ro.putArray("roles"), r.roles());
      Out.strings(ro.putArray("scopes"), r.scopes().names());
      ro.set("client", Out.client(r.client()));
      ro.put("remoteAddress", r.remoteAddress());
      ro.put("browserOrigin", r.browserOrigin());
      Out.time(ro, "createdAt", r.createdAt());
      Out.time(ro, "refreshedAt", r.refreshedAt());
      Out.time(ro, "expiresAt", r.expiresAt());
      ro.put("repair", r.repair());
      o.set("request", ro);
    }
    Out.strings(o.putArray("approvedRoles"), e.approvedRoles());
    if (e.approvedScopes() == null) {
      o.putNull("approvedScopes");
    } else {
      Out.strings(o.putArray("approvedScopes"), e.approvedScopes().names());
    }
    Out.strings(o.putArray("missingRoles"), e.missingRoles());
    Out.strings(o.putArray("missingScopes"), e.missingScopes());
    if (e.status() != RequestExplanation.State.PENDING) {
      o.putNull("approval");
      return o;
    }
    ObjectNode a = o.putObject("approval");
    Out.strings(a.putArray("roles"), e.rolesAfterApproval());
    Out.strings(a.putArray("approvedScopes"),
        e.scopesAfterApproval() == null ? java.util.List.of() : e.scopesAfterApproval().names());
    Out.strings(a.putArray("addedRoles"), e.addedRoles());
    Out.strings(a.putArray("addedScopes"), e.addedScopes().names());
    ObjectNode tokens = a.putObject("tokens");
    for (Map.Entry<Role, ScopeSet> t : e.tokenScopesAfterApproval().entrySet()) {
      Out.strings(tokens.putArray(t.getKey().name()), t.getValue().names());
    }
    Out.strings(a.putArray("approverNeeds"), e.approverNeeds().names());
    a.put("replacesPairedKey", e.replacesPairedKey());
    return o;
  }

  static ObjectNode device(DeviceExplanation d) {
    ObjectNode o = Out.object();
    o.put("kind", "device");
    o.put("deviceId", d.deviceId().value());
    o.put("known", d.known());
    o.put("blocked", d.blocked());
    if (d.paired() == null) {
      o.putNull("paired");
    } else {
      o.set("paired", Out.paired(d.paired(), d.blocked()));
    }
    Out.strings(o.putArray("effectiveRoles"), d.effectiveRoles());
    Out.strings(o.putArray("revokedRoles"), d.revokedRoles());
    Out.strings(o.putArray("rolesWithoutToken"), d.rolesWithoutToken());
    Out.strings(o.putArray("tokensBeyondBaseline"), d.tokensBeyondBaseline());
    if (d.pending() == null) {
      o.putNull("pending");
    } else {
      o.set("pending", request(d.pending()));
    }
    ArrayNode h = o.putArray("history");
    for (ResolvedRequest r : d.history()) {
      ObjectNode ho = h.addObject();
      ho.put("requestId", r.requestId().value());
      ho.put("outcome", r.outcome().wireName());
      ho.put("successorRequestId", RequestId.valueOrEmpty(r.successorRequestId()));
      Out.time(ho, "resolvedAt", r.resolvedAt());
    }
    return o;
  }

  private void printRequest(RequestExplanation e, @Nullable PairedDevice paired, Instant now,
      String indent) {
    PendingRequest p = e.request();
    String id = e.requestId().value();
    switch (e.status()) {
      case PENDING -> cli.out.println(indent + "Request " + id + " is pending (created "
          + Out.age(p.createdAt(), now) + " ago, expires in " + Out.age(now, p.expiresAt()) + ").");
      case EXPIRED -> cli.out.println(indent + "Request " + id + " has expired; the device must"
          + " connect again to ask anew.");
      case APPROVED -> cli.out.println(indent + "Request " + id + " of device " + e.deviceId()
          + " was approved; approving again changes nothing.");
      case REJECTED -> cli.out.println(indent + "Request " + id + " of device " + e.deviceId()
          + " was rejected (or dropped by block or remove); the device may ask again.");
      case SUPERSEDED -> cli.out.println(indent + "Request " + id + " of device " + e.deviceId()
          + " was superseded by " + e.successorRequestId()
          + ", which asks for more; review and approve that one instead.");
      case UNKNOWN -> cli.out.println(indent + "Request " + id + " is unknown.");
    }
    if (p == null) {
      return;
    }
    cli.out.println(indent + "  device    " + p.deviceId()
        + (p.client().displayName().isEmpty() ? "" : " " + Out.quoted(p.client().displayName()))
        + (p.client().clientId().isEmpty() ? "" : " (" + Out.safe(p.client().clientId())
            + (p.client().platform().isEmpty() ? "" : ", " + Out.safe(p.client().platform())) + ")")
        + (p.remoteAddress().isEmpty() ? "" : " from " + Out.safe(p.remoteAddress()))
        + (p.browserOrigin().isEmpty() ? "" : ", browser origin " + Out.safe(p.browserOrigin())));
    if (p.refreshedAt().isAfter(p.createdAt())) {
      cli.out.println(indent + "  refreshed " + p.refreshedAt() + " (the same request repeated)");
    }
    cli.out.println(indent + "  reason    " + p.reason().wireName() + ": " + p.reason().requirement());
    cli.out.println(indent + "  asks for  role " + Out.roles(p.roles()) + ", scopes "
        + Out.scopes(p.scopes()));
    cli.out.println(indent + "  approved  " + (e.approvedScopes() == null
        ? (e.replacesPairedKey() ? "nothing for this key (paired with another key; approving"
            + " replaces that pairing)" : "nothing yet (the device is not paired)")
        : "role " + Out.roles(e.approvedRoles()) + ", scopes " + Out.scopes(e.approvedScopes())));
    cli.out.println(indent + "  missing   " + (e.missingScopes().isEmpty() ? "no scopes"
        : ScopeSet.of(e.missingScopes()).toString())
        + (e.missingRoles().isEmpty() ? "" : "; roles " + Out.roles(e.missingRoles())));
    if (e.status() != RequestExplanation.State.PENDING) {
      return;
    }
    cli.out.println(indent + "Approving it would:");
    if (!e.addedRoles().isEmpty()) {
      cli.out.println(indent + "  - approve role " + Out.roles(e.addedRoles()));
    }
    cli.out.println(indent + "  - " + (e.addedScopes().isEmpty()
        ? "leave the approved scopes as they are"
        : "add " + e.addedScopes() + " to the approved scopes"));
    boolean sameKey = paired != null && !e.replacesPairedKey();
    for (Map.Entry<Role, ScopeSet> t : e.tokenScopesAfterApproval().entrySet()) {
      DeviceToken old = sameKey ? paired.token(t.getKey()) : null;
      if (old == null || old.isRevoked()) {
        cli.out.println(indent + "  - issue a new " + t.getKey() + " token with "
            + Out.scopes(t.getValue()));
      } else if (old.scopes().equals(t.getValue())) {
        cli.out.println(indent + "  - keep the " + t.getKey() + " token as it is ("
            + Out.scopes(old.scopes()) + ")");
      } else {
        cli.out.println(indent + "  - widen the " + t.getKey() + " token from "
            + Out.scopes(old.scopes()) + " to " + Out.scopes(t.getValue()) + " (same secret)");
      }
    }
    if (!p.client().platform().isEmpty() || !p.client().deviceFamily().isEmpty()) {
      cli.out.println(indent + "  - pin platform " + Out.quoted(p.client().platform())
          + (p.client().deviceFamily().isEmpty() ? "" : " and device family "
              + Out.quoted(p.client().deviceFamily())));
    }
    cli.out.println(indent + "  (the approver needs " + Out.scopes(e.approverNeeds()) + ")");
    cli.out.println(indent + "Approve with: pairgate devices approve " + id);
  }

  /** The one verdict for an approved role of a paired device. */
  private static String roleVerdict(DeviceExplanation d, io.pairgate.PairedDeviceSummary p,
      Role role) {
    io.pairgate.TokenSummary token = null;
    for (var t : p.tokens()) {
      if (t.role().equals(role)) {
        token = t;
      }
    }
    if (d.revokedRoles().contains(role)) {
      return "REVOKED" + (token != null && token.revokedAt() != null ? " at " + token.revokedAt()
          : "") + ": connects for it need a new approval (or 'pairgate devices rotate')";
    }
    if (d.effectiveRoles().contains(role)) {
      return "effective, " + (token == null ? "no token yet (one is issued on its next connect)"
          : "token " + Out.scopes(token.scopes()));
    }
    if (d.rolesWithoutToken().contains(role)) {
      return "no token: device-token connects fail; 'pairgate devices rotate --device "
          + d.deviceId() + " --role " + role + "' issues one";
    }
    return "not effective";
  }

  private void printDevice(DeviceExplanation d, @Nullable PairedDevice paired, Instant now) {
    if (!d.known()) {
      cli.out.println("Device " + d.deviceId() + " is unknown: never paired, nothing pending, not"
          + " blocked.");
      return;
    }
    cli.out.println("Device " + d.deviceId() + (d.paired() == null ? " is not paired" : " is paired")
        + (d.blocked() ? " and BLOCKED: every connect is refused until 'devices unblock'." : "."));
    if (d.paired() != null) {
      var p = d.paired();
      cli.out.println("  approved  scopes " + Out.scopes(p.approvedScopes()) + " ("
          + Out.age(p.approvedAt(), now) + " ago, via " + Out.safe(p.approvedVia()) + ")");
      cli.out.println("  from      " + (p.remoteAddress().isEmpty() ? "(address unknown)"
          : Out.safe(p.remoteAddress())) + (p.browserOrigin().isEmpty() ? ""
              : ", browser origin " + Out.safe(p.browserOrigin())));
      cli.out.println("  name      " + (p.label().isEmpty() ? "" : "label " + Out.quoted(p.label())
          + ", ") + "display name " + Out.quoted(p.client().displayName()) + ", client "
          + Out.quoted(p.client().clientId()));
      cli.out.println("  pinned    platform " + Out.quoted(p.client().platform())
          + ", device family " + Out.quoted(p.client().deviceFamily()));
      // One verdict per approved role (a revoked role is not "approved" in one line and
      // "revoked" in another).
      for (Role role : p.roles()) {
        cli.out.println("  role      " + role + ": " + roleVerdict(d, p, role));
      }
      if (!d.tokensBeyondBaseline().isEmpty()) {
        cli.out.println("  warning   tokens wider than the baseline (device-token connects fail"
            + " closed): " + Out.roles(d.tokensBeyondBaseline()) + " — 'pairgate doctor --fix'"
            + " narrows them");
      }
      cli.out.println("  last seen " + (p.lastSeenAt() == null ? "never"
          : Out.age(p.lastSeenAt(), now) + " ago"
              + (p.lastSeenReason().isEmpty() ? "" : " (" + p.lastSeenReason() + ")")));
    }
    if (d.pending() != null) {
      printRequest(d.pending(), paired, now, "");
    } else {
      cli.out.println("  nothing is pending" + (d.paired() == null ? ""
          : ": a connect within these roles and scopes is allowed"));
    }
    for (ResolvedRequest r : d.history()) {
      cli.out.println("  history   " + r.requestId() + " " + r.outcome().wireName()
          + (r.successorRequestId() == null ? "" : " -> " + r.successorRequestId()));
    }
  }
}
