package io.pairgate.cli;

import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.ErrorCode;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.ResolvedRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code pairgate devices explain <requestId|deviceId>}: why a request is pending (reason,
 * missing scopes) and exactly what approving it would grant; or what became of a resolved
 * request; or a device's state.
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

  /** What approving {@code p} would do to one role's token. */
  record TokenEffect(Role role, String action, ScopeSet before, ScopeSet after) {}

  static List<TokenEffect> tokenEffects(ScopePolicy policy, PendingRequest p,
      @Nullable PairedDevice paired) {
    boolean sameKey = paired != null && paired.publicKey().equals(p.publicKey());
    List<TokenEffect> out = new ArrayList<>();
    for (Role r : p.roles()) {
      ScopeSet forRole = policy.admissibleFor(r, p.scopes());
      DeviceToken t = sameKey ? paired.token(r) : null;
      if (t != null && !t.isRevoked()) {
        ScopeSet grown = t.scopes().union(forRole);
        out.add(new TokenEffect(r, grown.equals(t.scopes()) ? "unchanged" : "widened", t.scopes(),
            grown));
      } else {
        out.add(new TokenEffect(r, "issued", ScopeSet.empty(), forRole));
      }
    }
    return out;
  }

  @Override
  public Integer call() {
    try (StoreHandle h = cli.openStore()) {
      ScopePolicy policy = cli.service(h).scopePolicy();
      Instant now = cli.clock.instant();
      String arg = target.strip();
      Optional<DeviceRecord> byRequest = h.store().findByRequestId(arg);
      if (byRequest.isPresent()) {
        DeviceRecord rec = byRequest.get();
        PendingRequest p = rec.pending();
        if (p != null && p.requestId().equals(arg)) {
          return pending(policy, rec, p, now);
        }
        for (ResolvedRequest r : rec.resolved()) {
          if (r.requestId().equals(arg)) {
            return resolved(rec, r);
          }
        }
      }
      if (arg.contains("-")) {
        throw new PairgateException(ErrorCode.UNKNOWN_REQUEST, "unknown request id " + arg
            + " (never seen, or forgotten after the retention period)");
      }
      DeviceId id = Requests.device(h.store(), arg);
      DeviceRecord rec = h.store().load(id).orElseThrow(() ->
          new PairgateException(ErrorCode.UNKNOWN_DEVICE, "the store holds nothing about device " + id));
      if (rec.pending() != null && !rec.pending().isExpired(now)) {
        return pending(policy, rec, rec.pending(), now);
      }
      return device(rec, now);
    }
  }

  private int pending(ScopePolicy policy, DeviceRecord rec, PendingRequest p, Instant now) {
    PairedDevice paired = rec.paired();
    boolean sameKey = paired != null && paired.publicKey().equals(p.publicKey());
    io.pairgate.PairedDeviceSummary summary = sameKey ? paired.summary() : null;
    List<Scope> missing = Requests.missing(policy, p, summary);
    List<Role> newRoles = Requests.newRoles(p, summary);
    List<TokenEffect> effects = tokenEffects(policy, p, paired);
    boolean expired = p.isExpired(now);
    if (json) {
      ObjectNode o = Out.object();
      o.put("kind", "pending");
      o.put("expired", expired);
      o.set("request", Out.pending(p, summary, missing));
      o.put("blocked", rec.blocked());
      ObjectNode grant = o.putObject("approvalWouldGrant");
      Out.strings(grant.putArray("addedRoles"), newRoles);
      Out.strings(grant.putArray("addedScopes"), missing);
      Out.strings(grant.putArray("roles"), union(sameKey ? paired.roles() : List.of(), p.roles()));
      Out.strings(grant.putArray("approvedScopes"),
          (sameKey ? paired.approvedScopes().union(p.scopes()) : p.scopes()).names());
      ArrayNode tokens = grant.putArray("tokens");
      for (TokenEffect e : effects) {
        ObjectNode t = tokens.addObject();
        t.put("role", e.role().name());
        t.put("action", e.action());
        Out.strings(t.putArray("scopesBefore"), e.before().names());
        Out.strings(t.putArray("scopesAfter"), e.after().names());
      }
      cli.out.println(Out.pretty(o));
      return Main.OK;
    }
    cli.out.println("Request " + p.requestId() + (expired
        ? " has expired (at " + p.expiresAt() + "); the device must connect again to ask anew."
        : " is pending (created " + Out.age(p.createdAt(), now) + " ago, expires in "
            + Out.age(now, p.expiresAt()) + ")."));
    cli.out.println("  device    " + p.deviceId()
        + (p.client().clientId().isEmpty() ? "" : " (" + p.client().clientId()
            + (p.client().platform().isEmpty() ? "" : ", " + p.client().platform()) + ")")
        + (p.remoteAddress().isEmpty() ? "" : " from " + p.remoteAddress()));
    cli.out.println("  reason    " + p.reason().wireName() + ": " + p.reason().requirement());
    cli.out.println("  asks for  role " + Out.roles(p.roles()) + ", scopes " + Out.scopes(p.scopes()));
    if (sameKey) {
      cli.out.println("  approved  role " + Out.roles(paired.roles()) + ", scopes "
          + Out.scopes(paired.approvedScopes()));
    } else if (paired != null) {
      cli.out.println("  approved  nothing for this key (the device was paired with another key;"
          + " approving replaces that pairing)");
    } else {
      cli.out.println("  approved  nothing yet (the device is not paired)");
    }
    cli.out.println("  missing   " + (missing.isEmpty() ? "no scopes" : ScopeSet.of(missing).toString())
        + (newRoles.isEmpty() ? "" : "; roles " + Out.roles(newRoles)));
    if (rec.blocked()) {
      cli.out.println("  note      the device is blocked: even after approval its connects are refused");
    }
    cli.out.println("Approving it would:");
    if (!newRoles.isEmpty()) {
      cli.out.println("  - approve role " + Out.roles(newRoles));
    }
    cli.out.println("  - " + (missing.isEmpty() ? "leave the approved scopes as they are"
        : "add " + ScopeSet.of(missing) + " to the approved scopes"));
    for (TokenEffect e : effects) {
      switch (e.action()) {
        case "issued" -> cli.out.println("  - issue a new " + e.role() + " token with "
            + Out.scopes(e.after()));
        case "widened" -> cli.out.println("  - widen the " + e.role() + " token from "
            + Out.scopes(e.before()) + " to " + Out.scopes(e.after()) + " (same secret)");
        default -> cli.out.println("  - keep the " + e.role() + " token as it is ("
            + Out.scopes(e.before()) + ")");
      }
    }
    if (p.client().platform().length() + p.client().deviceFamily().length() > 0) {
      cli.out.println("  - pin platform \"" + p.client().platform() + "\""
          + (p.client().deviceFamily().isEmpty() ? "" : " and device family \""
              + p.client().deviceFamily() + "\""));
    }
    if (!expired) {
      cli.out.println("Approve with: pairgate devices approve " + p.requestId());
    }
    return Main.OK;
  }

  private static List<Role> union(List<Role> a, List<Role> b) {
    java.util.TreeSet<Role> s = new java.util.TreeSet<>(a);
    s.addAll(b);
    return new ArrayList<>(s);
  }

  private int resolved(DeviceRecord rec, ResolvedRequest r) {
    String what = switch (r.outcome()) {
      case APPROVED -> "was approved";
      case REJECTED -> "was rejected (or dropped by block or remove); the device may ask again";
      case EXPIRED -> "expired before anyone approved it; the device must connect again";
      case SUPERSEDED -> "was superseded by " + (rec.pending() != null
          ? rec.pending().requestId() : r.successorRequestId())
          + ", which asks for more; review and approve that one instead";
    };
    if (json) {
      ObjectNode o = Out.object();
      o.put("kind", "resolved");
      o.put("requestId", r.requestId());
      o.put("deviceId", rec.deviceId().value());
      o.put("outcome", r.outcome().wireName());
      o.put("successorRequestId", r.outcome() == ResolvedRequest.Outcome.SUPERSEDED
          ? (rec.pending() != null ? rec.pending().requestId() : r.successorRequestId()) : "");
      Out.time(o, "resolvedAt", r.resolvedAt());
      cli.out.println(Out.pretty(o));
      return Main.OK;
    }
    cli.out.println("Request " + r.requestId() + " of device " + rec.deviceId() + " " + what
        + " (at " + r.resolvedAt() + ").");
    return Main.OK;
  }

  private int device(DeviceRecord rec, Instant now) {
    PairedDevice d = rec.paired();
    if (json) {
      ObjectNode o = Out.object();
      o.put("kind", "device");
      o.put("deviceId", rec.deviceId().value());
      o.put("blocked", rec.blocked());
      if (d == null) {
        o.putNull("paired");
      } else {
        o.set("paired", Out.paired(d.summary(), rec.blocked()));
      }
      o.putNull("pendingRequestId");
      cli.out.println(Out.pretty(o));
      return Main.OK;
    }
    cli.out.println("Device " + rec.deviceId() + (rec.blocked() ? " is blocked; its connects are refused." : ""));
    if (d == null) {
      cli.out.println("  not paired, and nothing is pending");
      return Main.OK;
    }
    cli.out.println("  paired    roles " + Out.roles(d.roles()) + ", scopes "
        + Out.scopes(d.approvedScopes()) + " (approved " + Out.age(d.approvedAt(), now) + " ago via "
        + d.approvedVia() + ")");
    cli.out.println("  effective roles " + Out.roles(d.effectiveRoles()));
    for (DeviceToken t : d.tokens().values()) {
      cli.out.println("  token     " + t.role() + ": " + (t.isRevoked() ? "revoked at " + t.revokedAt()
          : Out.scopes(t.scopes())));
    }
    cli.out.println("  nothing is pending: a connect within these roles and scopes is allowed"
        + (d.lastSeenAt() == null ? "" : " (last seen "
            + Out.age(d.lastSeenAt(), now) + " ago)"));
    return Main.OK;
  }

}
