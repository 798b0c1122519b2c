package io.pairgate.cli;

import io.pairgate.RequestId;
import io.pairgate.Approval;
import io.pairgate.Approver;
import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.IssuedToken;
import io.pairgate.ErrorCode;
import io.pairgate.PairedDeviceSummary;
import io.pairgate.PairgateException;
import io.pairgate.PairingListing;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.TokenSummary;
import io.pairgate.cli.Errors.UsageException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code pairgate devices …}: the operator's pairing actions on a store. */
@Command(
    name = "devices",
    description = "List, approve, reject, block and manage paired devices and their tokens.",
    subcommands = {
        DevicesCommand.ListCmd.class,
        DevicesCommand.Approve.class,
        DevicesCommand.Reject.class,
        DevicesCommand.Remove.class,
        DevicesCommand.Block.class,
        DevicesCommand.Unblock.class,
        DevicesCommand.Rotate.class,
        DevicesCommand.Revoke.class,
        DevicesCommand.Rename.class,
        ExplainCommand.class,
        HelpCmd.class
    })
final class DevicesCommand implements Runnable {
  private final Cli cli;
  @Spec CommandSpec spec;

  DevicesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(cli.out);
  }

  /** The approver the CLI acts as: a local operator with full authority over the store. */
  static Approver approver() {
    return Approver.admin("cli:" + System.getProperty("user.name", "operator"));
  }

  static String name(PairedDeviceSummary d) {
    if (!d.label().isEmpty()) {
      return d.label();
    }
    if (!d.client().displayName().isEmpty()) {
      return d.client().displayName();
    }
    return Out.orDash(d.client().clientId());
  }

  // ---------------------------------------------------------------------------------------------

  @Command(name = "list", description = "Pending requests, paired devices and blocked devices.")
  static final class ListCmd implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--json", description = "Print the documented JSON document instead of tables.")
    boolean json;

    @ArgGroup(exclusive = true)
    @Nullable Filter filter;

    static final class Filter {
      @Option(names = "--pending", description = "Only pending requests.") boolean pending;
      @Option(names = "--paired", description = "Only paired (and blocked) devices.") boolean paired;
    }

    ListCmd(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      boolean showPending = filter == null || filter.pending;
      boolean showPaired = filter == null || filter.paired;
      try (StoreHandle h = cli.openForReading()) {
        PairingService service = cli.service(h);
        PairingListing l = service.list();
        Instant now = cli.clock.instant();
        List<PendingRequest> pending = new ArrayList<>(l.pending());
        pending.sort(Comparator.comparing(PendingRequest::createdAt));
        if (json) {
          ObjectNode root = Out.object();
          root.put("version", 1);
          if (showPending) {
            ArrayNode a = root.putArray("pending");
            for (PendingRequest p : pending) {
              PairedDeviceSummary d = Requests.pairedOf(l, p.deviceId());
              a.add(Out.pending(p, d, Requests.missing(service.scopePolicy(), p, d)));
            }
          }
          if (showPaired) {
            ArrayNode a = root.putArray("paired");
            for (PairedDeviceSummary d : l.paired()) {
              a.add(Out.paired(d, l.blocked().contains(d.deviceId())));
            }
            Out.strings(root.putArray("blocked"), l.blocked());
          }
          ArrayNode bad = root.putArray("unreadable");
          h.unreadable().forEach((id, e) -> {
            ObjectNode b = bad.addObject();
            b.put("deviceId", id);
            b.put("location", e.location());
            b.put("message", e.getMessage());
          });
          cli.out.println(Out.pretty(root));
          return h.unreadable().isEmpty() ? Main.OK : Main.FAILED;
        }
        if (showPending) {
          printPending(service, l, pending, now);
        }
        if (showPaired) {
          if (showPending) {
            cli.out.println();
          }
          printPaired(l, now);
        }
        return printUnreadable(cli, h) ? Main.FAILED : Main.OK;
      }
    }

    private void printPending(PairingService service, PairingListing l,
        List<PendingRequest> pending, Instant now) {
      if (pending.isEmpty()) {
        cli.out.println("No pending requests.");
        return;
      }
      cli.out.println("Pending requests (" + pending.size() + ")");
      Out.Table t = new Out.Table("REQUEST", "DEVICE", "REASON", "ROLES", "REQUESTED", "APPROVED",
          "ADDRESS", "AGE", "FLAGS");
      for (PendingRequest p : pending) {
        PairedDeviceSummary d = Requests.pairedOf(l, p.deviceId());
        boolean sameKey = d != null && d.publicKey().equals(p.publicKey());
        t.row(p.requestId().value(), Out.shortId(p.deviceId().value()), p.reason().wireName(),
            Out.roles(p.roles()), Out.scopes(p.scopes()),
            sameKey ? Out.scopes(d.approvedScopes()) : "-", Out.orDash(p.remoteAddress()),
            Out.age(p.createdAt(), now), p.repair() ? "repair" : "");
      }
      t.lines("  ").forEach(cli.out::println);
    }

    private void printPaired(PairingListing l, Instant now) {
      if (l.paired().isEmpty()) {
        cli.out.println("No paired devices.");
      } else {
        cli.out.println("Paired devices (" + l.paired().size() + ")");
        Out.Table t = new Out.Table("DEVICE", "NAME", "ROLES", "APPROVED SCOPES", "TOKENS",
            "ADDRESS", "LAST SEEN", "FLAGS");
        for (PairedDeviceSummary d : l.paired()) {
          List<String> tokens = new ArrayList<>();
          for (TokenSummary ts : d.tokens()) {
            tokens.add(ts.role() + "=" + (ts.isRevoked() ? "revoked" : Out.scopes(ts.scopes())));
          }
          t.row(Out.shortId(d.deviceId().value()), name(d), Out.roles(d.roles()),
              Out.scopes(d.approvedScopes()), tokens.isEmpty() ? "-" : String.join(" ", tokens),
              Out.orDash(d.remoteAddress()),
              d.lastSeenAt() == null ? "never" : Out.age(d.lastSeenAt(), now) + " ago",
              l.blocked().contains(d.deviceId()) ? "blocked" : "");
        }
        t.lines("  ").forEach(cli.out::println);
      }
      List<DeviceId> blockedOnly = new ArrayList<>();
      for (DeviceId b : l.blocked()) {
        if (Requests.pairedOf(l, b) == null) {
          blockedOnly.add(b);
        }
      }
      if (!blockedOnly.isEmpty()) {
        cli.out.println();
        cli.out.println("Blocked, not paired (" + blockedOnly.size() + ")");
        for (DeviceId b : blockedOnly) {
          cli.out.println("  " + b);
        }
      }
    }
  }

  /**
   * Names the records a read-only listing had to skip, each with the command that moves it aside;
   * returns whether there were any (the command then exits 1).
   */
  static boolean printUnreadable(Cli cli, StoreHandle h) {
    if (h.unreadable().isEmpty()) {
      return false;
    }
    cli.out.println();
    cli.out.println("Unreadable records (" + h.unreadable().size() + "), not shown above:");
    h.unreadable().forEach((id, e) -> {
      cli.out.println("  " + Out.safe(e.getMessage()));
      cli.out.println("    move it aside with 'pairgate" + storeOption(cli) + " store quarantine "
          + id + "' (device " + Out.shortId(id) + " must then pair again), or restore the file"
          + " from a backup");
    });
    return true;
  }

  /** The store option as the user gave it, for commands printed as advice. */
  static String storeOption(Cli cli) {
    if (cli.jdbcUrl != null) {
      return " --jdbc " + Out.safe(StoreHandle.redact(cli.jdbcUrl));
    }
    return cli.storeDir != null ? " --store " + Out.safe(cli.storeDir.toString()) : "";
  }

  // ---------------------------------------------------------------------------------------------

  @Command(name = "approve",
      description = "Approve a pending request. Prints what is being approved before applying it.")
  static final class Approve implements Callable<Integer> {
    private final Cli cli;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<requestId>",
        description = "The request to approve (see 'devices list').")
    @Nullable String requestId;

    @Option(names = "--latest", description = "Approve the most recent pending request.")
    boolean latest;

    @Option(names = "--yes",
        description = "With --latest: approve even when more than one request is pending.")
    boolean yes;

    @Option(names = "--as-scopes", split = ",", paramLabel = "SCOPE",
        description = "Approve only these of the requested scopes (comma-separated or repeated);"
            + " the device asks again for the rest.")
    @Nullable List<String> asScopes;

    @Option(names = "--approver-scopes", split = ",", paramLabel = "SCOPE",
        description = "Approve with only these operator scopes (default operator.admin: whoever can"
            + " write the store has full authority). A request needing more is refused (forbidden).")
    @Nullable List<String> approverScopes;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    Approve(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if ((requestId == null) == !latest) {
        throw new UsageException(latest
            ? "give either a request id or --latest, not both"
            : "name the request to approve, or pass --latest (see 'pairgate devices list')");
      }
      if (yes && !latest) {
        throw new UsageException("--yes only applies to --latest");
      }
      RequestId given = requestId == null ? null : Requests.id(requestId);
      try (StoreHandle h = cli.openForWriting("devices approve")) {
        PairingService service = cli.service(h);
        PairingListing l = service.list();
        RequestId id = given;
        if (latest) {
          List<PendingRequest> pending = new ArrayList<>(l.pending());
          if (pending.isEmpty()) {
            throw new PairgateException(ErrorCode.UNKNOWN_REQUEST, "no pending requests to approve");
          }
          pending.sort(Comparator.comparing(PendingRequest::createdAt).reversed());
          PendingRequest newest = pending.get(0);
          if (pending.size() > 1 && !yes) {
            throw new PairgateException(ErrorCode.INVALID_ARGUMENT, pending.size()
                + " requests are pending; name one with 'pairgate devices approve <requestId>',"
                + " or pass --yes to approve the most recent (" + newest.requestId()
                + " from device " + Out.shortId(newest.deviceId().value()) + ")");
          }
          id = newest.requestId();
        }
        if (id == null) {
          throw new IllegalStateException("a request id or --latest was checked above");
        }
        Optional<PendingRequest> live = service.pendingRequest(id);
        ScopeSet subset = asScopes == null ? null : Requests.scopes("--as-scopes", asScopes);
        if (live.isPresent() && subset != null) {
          ScopeSet declined = live.get().scopes().minus(subset);
          live = Optional.of(Requests.narrowed(service.scopePolicy(), live.get(), subset));
          if (!declined.isEmpty() && !json) {
            cli.out.println("Declining " + declined + " (the device will ask again with"
                + " scope-upgrade if it needs them).");
          }
        }
        if (live.isPresent() && !json) {
          PendingRequest p = live.get();
          PairedDeviceSummary d = Requests.pairedOf(l, p.deviceId());
          List<Scope> added = Requests.missing(service.scopePolicy(), p, d);
          List<Role> newRoles = Requests.newRoles(p, d);
          cli.out.println("Approving request " + Out.safe(p.requestId().value()));
          cli.out.println("  device   " + p.deviceId() + describeClient(p, d));
          cli.out.println("  reason   " + p.reason().wireName());
          cli.out.println("  roles    " + Out.roles(p.roles())
              + (newRoles.isEmpty() ? " (already approved)"
                  : newRoles.equals(p.roles()) ? " (new)" : " (new: " + Out.roles(newRoles) + ")"));
          cli.out.println("  scopes   " + (added.isEmpty() ? "nothing new" : "+ " + ScopeSet.of(added))
              + (d != null && d.publicKey().equals(p.publicKey())
                  ? " (already approved: " + Out.scopes(d.approvedScopes()) + ")" : ""));
        }
        Approver approver = approverScopes == null ? approver()
            : new Approver(approver().name(), Requests.scopes("--approver-scopes", approverScopes));
        Approval a = subset == null
            ? service.approve(id, approver)
            : service.approve(id, approver, subset);
        if (json) {
          ObjectNode o = Out.object();
          o.put("requestId", a.requestId().value());
          o.put("deviceId", a.device().deviceId().value());
          o.put("alreadyApproved", a.alreadyApproved());
          Out.strings(o.putArray("addedRoles"), a.addedRoles());
          Out.strings(o.putArray("addedScopes"), a.addedScopes().names());
          Out.strings(o.putArray("declinedScopes"), a.declinedScopes().names());
          Out.strings(o.putArray("roles"), a.device().roles());
          Out.strings(o.putArray("approvedScopes"), a.device().approvedScopes().names());
          cli.out.println(Out.pretty(o));
        } else if (a.alreadyApproved()) {
          cli.out.println("Request " + Out.safe(id.value()) + " was already approved; nothing changed.");
        } else {
          cli.out.println("Approved. Device " + Out.shortId(a.device().deviceId().value())
              + " now has roles " + Out.roles(a.device().roles()) + " and scopes "
              + Out.scopes(a.device().approvedScopes()) + "; it gets its token on its next connect.");
        }
        return Main.OK;
      }
    }

    private static String describeClient(PendingRequest p, @Nullable PairedDeviceSummary d) {
      List<String> parts = new ArrayList<>();
      if (d != null && !d.label().isEmpty()) {
        parts.add(Out.quoted(d.label()));
      }
      if (!p.client().displayName().isEmpty()) {
        parts.add(Out.safe(p.client().displayName()));
      }
      if (!p.client().clientId().isEmpty()) {
        parts.add(Out.safe(p.client().clientId()));
      }
      if (!p.client().platform().isEmpty()) {
        parts.add(Out.safe(p.client().platform()));
      }
      if (!p.remoteAddress().isEmpty()) {
        parts.add("from " + Out.safe(p.remoteAddress()));
      }
      return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }
  }

  @Command(name = "reject", description = "Reject a pending request; the device may ask again.")
  static final class Reject implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<requestId>") String requestId;

    Reject(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      RequestId id = Requests.id(requestId);
      try (StoreHandle h = cli.openForWriting("devices reject")) {
        PendingRequest p = cli.service(h).reject(id);
        cli.out.println("Rejected request " + Out.safe(p.requestId().value()) + " of device " + p.deviceId() + ".");
        return Main.OK;
      }
    }
  }

  @Command(name = "remove",
      description = "Remove a paired device with its tokens (a block stays in force).")
  static final class Remove implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<deviceId>") String device;

    Remove(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (StoreHandle h = cli.openForWriting("devices remove")) {
        DeviceId id = Requests.device(h.store(), device);
        PairedDeviceSummary d = cli.service(h).remove(id);
        cli.out.println("Removed device " + d.deviceId() + " (roles " + Out.roles(d.roles())
            + "). It must pair again to connect.");
        return Main.OK;
      }
    }
  }

  @Command(name = "block",
      description = "Block a device (paired or not): its connects are refused; its request is dropped.")
  static final class Block implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<deviceId>") String device;

    Block(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (StoreHandle h = cli.openForWriting("devices block")) {
        DeviceId id = DeviceId.isWellFormed(device) ? DeviceId.parse(device)
            : Requests.device(h.store(), device);
        cli.service(h).block(id);
        cli.out.println("Blocked device " + id + ".");
        return Main.OK;
      }
    }
  }

  @Command(name = "unblock", description = "Lift a block.")
  static final class Unblock implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "<deviceId>") String device;

    Unblock(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (StoreHandle h = cli.openForWriting("devices unblock")) {
        DeviceId id = Requests.device(h.store(), device);
        cli.service(h).unblock(id);
        cli.out.println("Unblocked device " + id + ".");
        return Main.OK;
      }
    }
  }

  @Command(name = "rotate",
      description = "Issue a new token for a role (optionally narrower); prints it once.")
  static final class Rotate implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--device", required = true, paramLabel = "<deviceId>") String device;
    @Option(names = "--role", required = true, paramLabel = "<role>") String role;

    @Option(names = "--scope", split = ",", paramLabel = "SCOPE",
        description = "The new token's scopes (within the approved baseline); default: the old"
            + " token's.")
    @Nullable List<String> scopes;

    @Option(names = "--no-scopes", description = "Issue a token with no scopes at all.")
    boolean noScopes;

    @Option(names = "--json", description = "Print {deviceId, role, token, scopes, rotatedAt}.")
    boolean json;

    Rotate(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (noScopes && scopes != null) {
        throw new UsageException("--scope and --no-scopes exclude each other");
      }
      try (StoreHandle h = cli.openForWriting("devices rotate")) {
        DeviceId id = Requests.device(h.store(), device);
        PairingService service = cli.service(h);
        IssuedToken issued = noScopes ? service.rotate(id, Role.of(role), ScopeSet.empty())
            : scopes == null ? service.rotate(id, Role.of(role))
            : service.rotate(id, Role.of(role), Requests.scopes("--scope", scopes));
        DeviceToken t = issued.token();
        if (json) {
          ObjectNode o = Out.object();
          o.put("deviceId", id.value());
          o.put("role", t.role().name());
          o.put("token", issued.secret().value());
          Out.strings(o.putArray("scopes"), t.scopes().names());
          Out.time(o, "rotatedAt", t.rotatedAt());
          cli.out.println(Out.pretty(o));
        } else {
          cli.out.println("Rotated the " + t.role() + " token of device " + id + ".");
          cli.out.println("  scopes  " + Out.scopes(t.scopes()));
          cli.out.println("  token   " + issued.secret().value());
          cli.out.println("The token is shown this once (the store keeps only its hash); deliver"
              + " it only to the device. The old token no longer works.");
        }
        return Main.OK;
      }
    }
  }

  @Command(name = "revoke",
      description = "Revoke a role's token; the role needs a new approval to connect again.")
  static final class Revoke implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--device", required = true, paramLabel = "<deviceId>") String device;
    @Option(names = "--role", required = true, paramLabel = "<role>") String role;

    Revoke(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (StoreHandle h = cli.openForWriting("devices revoke")) {
        DeviceId id = Requests.device(h.store(), device);
        TokenSummary t = cli.service(h).revoke(id, Role.of(role));
        cli.out.println("Revoked the " + t.role() + " token of device " + id + " (at "
            + t.revokedAt() + ").");
        return Main.OK;
      }
    }
  }

  @Command(name = "rename", description = "Set an operator label on a paired device.")
  static final class Rename implements Callable<Integer> {
    private final Cli cli;

    @Option(names = "--device", required = true, paramLabel = "<deviceId>") String device;
    @Option(names = "--name", required = true, paramLabel = "<label>") String name;

    Rename(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      try (StoreHandle h = cli.openForWriting("devices rename")) {
        DeviceId id = Requests.device(h.store(), device);
        PairedDeviceSummary d = cli.service(h).rename(id, name.strip());
        cli.out.println("Device " + d.deviceId() + " is now called " + Out.quoted(d.label()) + ".");
        return Main.OK;
      }
    }
  }
}
