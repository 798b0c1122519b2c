package io.pairgate.cli;

import io.pairgate.DeviceId;
import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PairgateException;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.client.DeviceIdentity;
import io.pairgate.client.IdentityFileException;
import io.pairgate.policy.IpRange;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import io.pairgate.spi.ResolvedRequest;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pairgate doctor}: checks a store (and optionally a gateway configuration and identity
 * files) for the problems that make pairing "keep coming back", printing one verdict line and one
 * advice line per check. {@code --fix} applies only safe, reversible repairs and prints each
 * change. Exit code 0 when healthy, 1 when problems remain.
 */
@Command(name = "doctor",
    description = "Check the store, configuration and identity files; --fix repairs what is safe.")
final class DoctorCommand implements Callable<Integer> {
  /** Keys the {@code --config} file may hold (see docs/cli.md). */
  static final Set<String> CONFIG_KEYS =
      Set.of("trustedProxies", "pairingRequired", "autoApproveLocal", "allowRealIpFallback");
  /** How long resolved request ids are kept by default (R9.2). */
  static final Duration RETENTION = Duration.ofDays(1);
  /** How many resolved request ids are kept per device by default (R9.2). */
  static final int MAX_RESOLVED = 32;

  private final Cli cli;

  @Option(names = "--config", paramLabel = "FILE",
      description = "The gateway's pairing settings (a properties file; see docs/cli.md).")
  @Nullable Path config;

  @Option(names = "--identity", paramLabel = "FILE",
      description = "A device identity file to check (repeatable).")
  List<Path> identities = new ArrayList<>();

  @Option(names = "--fix",
      description = "Prune expired requests and stale request ids, narrow tokens wider than the"
          + " baseline; print every change. Nothing else is touched.")
  boolean fix;

  DoctorCommand(Cli cli) {
    this.cli = cli;
  }

  private int problems;
  private int fixed;

  private final List<String> changes = new ArrayList<>();

  private void verdict(boolean ok, String check, String verdict, String advice) {
    verdict(ok ? "[ok]   " : "[FAIL] ", ok, check, verdict, advice);
  }

  /** A problem that --fix repaired: printed with the changes made, not counted as remaining. */
  private void fixedVerdict(boolean allFixed, String check, String verdict, String advice) {
    verdict(allFixed ? "[fixed] " : "[FAIL] ", allFixed, check, verdict, advice);
  }

  /**
   * Normal housekeeping or a harmless oddity: reported with advice, but not a problem (exit code
   * 0).
   */
  private void note(String check, String what, String advice) {
    cli.out.println("[note] " + check + ": " + Out.safe(what));
    cli.out.println("       advice: " + advice);
  }

  private void verdict(String tag, boolean ok, String check, String verdict, String advice) {
    if (!ok) {
      problems++;
    }
    cli.out.println(tag + check + ": " + Out.safe(verdict));
    cli.out.println("       advice: " + advice);
    for (String c : changes) {
      cli.out.println("       changed: " + c);
    }
    changes.clear();
  }

  private void changed(String what) {
    fixed++;
    changes.add(what);
  }

  @Override
  public Integer call() {
    Path dir = StoreCommand.jsonDir(cli);
    String where = dir != null ? dir.toString() : StoreHandle.redact(cli.jdbcUrl);
    cli.out.println("pairgate doctor: store " + where + (fix ? " (--fix)" : ""));
    boolean storeOk = checkStoreReadable(dir, where);
    if (storeOk) {
      try (StoreHandle h = fix ? cli.openForWriting("doctor --fix") : cli.openForReading()) {
        checkRecords(h.store(), cli.service(h).scopePolicy());
      }
    } else {
      cli.out.println("[skip] tokens, roles, requests: the store must read cleanly first");
    }
    checkConfig();
    checkIdentities();
    if (problems == 0) {
      cli.out.println("Healthy" + (fixed > 0 ? " (" + fixed + " change(s) made)." : "."));
      return Main.OK;
    }
    cli.out.println(problems + " problem(s) remain" + (fixed > 0 ? "; " + fixed + " change(s) made" : "")
        + ".");
    return Main.FAILED;
  }

  // ---------------------------------------------------------------------------------------------

  private boolean checkStoreReadable(@Nullable Path dir, String where) {
    if (dir != null && !Files.isDirectory(dir)) {
      verdict(false, "store", "no store at " + where,
          "point --store (or $PAIRGATE_HOME) at the directory the gateway uses");
      return false;
    }
    List<StoreCommand.Problem> found;
    int[] n = new int[1];
    try {
      found = StoreCommand.check(cli, n);
    } catch (io.pairgate.store.json.StoreInsecureException e) {
      verdict(false, "store permissions", e.getMessage(),
          "make the store directory the gateway user's own and private (chown, chmod 700) and"
              + " remove symbolic links from it; the store refuses to open until then");
      return false;
    } catch (PairgateException e) {
      verdict(false, "store", "cannot be read: " + e.getMessage(),
          "check the path, permissions and database URL");
      return false;
    }
    boolean ok = true;
    for (StoreCommand.Problem p : found) {
      if (p.note()) {
        note("store", p.toString(), "a file the store does not use and ignores (an editor backup,"
            + " .DS_Store, a README…); remove it at leisure, or leave it");
      } else if (p.kind().equals("newer-format")) {
        ok = false;
        verdict(false, "store", p.toString(), "written by a newer Pairgate: run that version (the"
            + " file is probably intact; do not quarantine or edit it)");
      } else if (p.kind().equals("misplaced")) {
        ok = false;
        verdict(false, "store", p.toString(), "move the file into the directory named in the"
            + " message (the device's data is intact), or 'pairgate store quarantine "
            + p.location() + "'");
      } else {
        ok = false;
        verdict(false, "store", p.toString(),
            "restore the file from a backup, or move it aside with 'pairgate store quarantine "
                + p.location() + "' (the device must then pair again); never hand-edit it into"
                + " shape");
      }
    }
    if (ok) {
      verdict(true, "store", n[0] + " device record(s), every one parses", "nothing to do");
    }
    return ok;
  }

  private List<DeviceRecord> all(PairingStore store) {
    List<DeviceRecord> out = new ArrayList<>();
    String after = "";
    while (true) {
      List<DeviceRecord> page = store.list(after, 500);
      out.addAll(page);
      if (page.size() < 500) {
        return out;
      }
      after = page.get(page.size() - 1).deviceId().value();
    }
  }

  private void checkRecords(PairingStore store, ScopePolicy policy) {
    Instant now = cli.clock.instant();
    List<DeviceRecord> records = all(store);

    // tokens wider than the baseline
    List<String> wide = new ArrayList<>();
    Map<DeviceId, List<Role>> toNarrow = new HashMap<>();
    // roles without a token, tokens for unapproved roles
    List<String> roleGaps = new ArrayList<>();
    // expired pending requests, stale tombstones
    List<String> expired = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    int disabledApprovals = 0;
    for (DeviceRecord r : records) {
      PairedDevice d = r.paired();
      if (d != null) {
        if (d.approvedVia().equals("pairing-disabled")) {
          disabledApprovals++;
        }
        for (DeviceToken t : d.tokens().values()) {
          if (!d.roles().contains(t.role())) {
            roleGaps.add("device " + Out.shortId(d.deviceId().value()) + " has a " + t.role()
                + " token but role " + t.role() + " is not approved");
          } else if (!t.isRevoked() && !policy.allows(t.role(), t.scopes(), d.approvedScopes())) {
            wide.add("device " + Out.shortId(d.deviceId().value()) + " " + t.role() + " token grants "
                + Out.scopes(t.scopes()) + ", beyond the baseline " + Out.scopes(d.approvedScopes()));
            toNarrow.computeIfAbsent(d.deviceId(), k -> new ArrayList<>()).add(t.role());
          }
        }
        if (d.tokens().isEmpty()) {
          roleGaps.add("device " + Out.shortId(d.deviceId().value()) + " is approved for "
              + Out.roles(d.roles()) + " but holds no tokens at all (an imported or hand-written"
              + " record): device-token connects fail with token-missing until it connects with"
              + " the gateway's shared auth");
        } else {
          for (Role role : d.roles()) {
            if (d.token(role) == null) {
              roleGaps.add("device " + Out.shortId(d.deviceId().value()) + " is approved for "
                  + role + " but holds no " + role + " token");
            }
          }
        }
      }
      PendingRequest p = r.pending();
      if (p != null && p.isExpired(now)) {
        expired.add(p.requestId() + " (device " + Out.shortId(r.deviceId().value()) + ", expired "
            + Out.age(p.expiresAt(), now) + " ago)");
      }
      int staleHere = staleTombstones(r, now).size();
      if (staleHere > 0) {
        stale.add(staleHere + " on device " + Out.shortId(r.deviceId().value()));
      }
    }

    boolean ok = wide.isEmpty();
    String tokensWhat = ok ? "no stored token exceeds its device's baseline"
        : wide.size() + " token(s) exceed the baseline: " + String.join("; ", wide);
    if (!ok && fix) {
      boolean all = true;
      for (DeviceId id : toNarrow.keySet()) {
        all &= narrowTokens(store, policy, id, now);
      }
      fixedVerdict(all, "tokens", tokensWhat, "narrowed to the baseline, same secret; if the extra"
          + " scopes were intended, let the device ask for them and approve that request");
    } else {
      verdict(ok, "tokens", tokensWhat, ok ? "nothing to do"
          : "device-token connects with them fail closed (token-scope-mismatch); run 'pairgate"
              + " doctor --fix' to narrow them to the baseline");
    }

    ok = roleGaps.isEmpty();
    verdict(ok, "roles", ok ? "every approved role has a token and every token an approved role"
        : String.join("; ", roleGaps),
        ok ? "nothing to do" : "a role without a token needs 'pairgate devices rotate --device <id>"
            + " --role <role>' (or a connect with the gateway's shared auth, which issues one);"
            + " a token for an unapproved role is never accepted (unknown-role):"
            + " revoke it with 'pairgate devices revoke --device <id> --role <role>' (not changed"
            + " by --fix)");

    ok = expired.isEmpty() && stale.isEmpty();
    String what = (expired.isEmpty() ? "" : expired.size() + " expired pending request(s): "
        + String.join(", ", expired)) + (expired.isEmpty() || stale.isEmpty() ? "" : "; ")
        + (stale.isEmpty() ? "" : "stale remembered request ids: " + String.join(", ", stale));
    if (fix && !ok) {
      boolean all = true;
      for (DeviceRecord r : records) {
        boolean exp = r.pending() != null && r.pending().isExpired(now);
        if (exp || !staleTombstones(r, now).isEmpty()) {
          all &= prune(store, r.deviceId(), now);
        }
      }
      fixedVerdict(all, "requests", what, "pruned; a device whose request expired asks again when"
          + " it next connects");
    } else if (ok) {
      verdict(true, "requests", "no expired pending requests or stale remembered request ids",
          "nothing to do");
    } else {
      note("requests", what + " (normal housekeeping)", "nothing is wrong: they cannot be"
          + " approved and are pruned at the device's next change; 'pairgate doctor --fix' prunes"
          + " them now");
    }

    if (disabledApprovals > 0) {
      cli.out.println("[info] " + disabledApprovals + " device(s) were approved while pairing was"
          + " switched off (approvedVia = pairing-disabled); review them with 'pairgate devices list'");
    }
  }

  private static List<ResolvedRequest> staleTombstones(DeviceRecord r, Instant now) {
    List<ResolvedRequest> out = new ArrayList<>();
    Instant cutoff = now.minus(RETENTION);
    List<ResolvedRequest> fresh = new ArrayList<>();
    for (ResolvedRequest t : r.resolved()) {
      if (t.resolvedAt().isAfter(cutoff)) {
        fresh.add(t);
      } else {
        out.add(t);
      }
    }
    int excess = fresh.size() - MAX_RESOLVED;
    for (int i = 0; i < excess; i++) {
      out.add(fresh.get(i));
    }
    return out;
  }

  /** Applies {@code change} to the device's record by compare-and-set, retrying on conflict. */
  private Optional<DeviceRecord> update(PairingStore store, DeviceId id,
      UnaryOperator<DeviceRecord> change) {
    for (int i = 0; i < 20; i++) {
      Optional<DeviceRecord> cur = store.load(id);
      if (cur.isEmpty()) {
        return Optional.empty();
      }
      DeviceRecord next = change.apply(cur.get());
      if (next == cur.get()) {
        return Optional.empty();
      }
      if (store.compareAndSet(cur.get().version(), next)) {
        return Optional.of(cur.get());
      }
    }
    cli.out.println("       could not change device " + id + ": it kept changing; run doctor again");
    return Optional.empty();
  }

  private boolean narrowTokens(PairingStore store, ScopePolicy policy, DeviceId id, Instant now) {
    List<String> changes = new ArrayList<>();
    return update(store, id, rec -> {
      changes.clear();
      PairedDevice d = rec.paired();
      if (d == null) {
        return rec;
      }
      Map<Role, DeviceToken> tokens = new HashMap<>(d.tokens());
      for (DeviceToken t : d.tokens().values()) {
        if (t.isRevoked() || !d.roles().contains(t.role())
            || policy.allows(t.role(), t.scopes(), d.approvedScopes())) {
          continue;
        }
        ScopeSet narrowed = t.scopes().filter(s -> policy.implies(t.role(), s, d.approvedScopes()));
        tokens.put(t.role(), new DeviceToken(t.role(), narrowed, t.hash(), t.createdAt(), now,
            null, t.lastUsedAt()));
        changes.add("device " + id + " " + t.role() + " token " + Out.scopes(t.scopes()) + " -> "
            + Out.scopes(narrowed) + " (was it intended? approve a request for the extra scopes)");
      }
      if (changes.isEmpty()) {
        return rec;
      }
      return new DeviceRecord(id, rec.version() + 1, d.withTokens(tokens), rec.pending(),
          rec.blocked(), rec.resolved());
    }).map(old -> {
      changes.forEach(this::changed);
      return true;
    }).orElse(false);
  }

  private boolean prune(PairingStore store, DeviceId id, Instant now) {
    List<String> changes = new ArrayList<>();
    return update(store, id, rec -> {
      changes.clear();
      List<ResolvedRequest> resolved = new ArrayList<>(rec.resolved());
      List<ResolvedRequest> stale = staleTombstones(rec, now);
      resolved.removeAll(stale);
      PendingRequest p = rec.pending();
      PendingRequest keep = p;
      if (p != null && p.isExpired(now)) {
        keep = null;
        resolved.add(new ResolvedRequest(p.requestId(), ResolvedRequest.Resolution.EXPIRED, null, now));
        changes.add("device " + id + ": removed expired request " + p.requestId() + " (remembered"
            + " as expired)");
      }
      if (!stale.isEmpty()) {
        changes.add("device " + id + ": forgot " + stale.size() + " remembered request id(s) older"
            + " than " + RETENTION.toDays() + " day(s) or beyond " + MAX_RESOLVED);
      }
      if (changes.isEmpty()) {
        return rec;
      }
      return new DeviceRecord(id, rec.version() + 1, rec.paired(), keep, rec.blocked(), resolved);
    }).map(old -> {
      changes.forEach(this::changed);
      return true;
    }).orElse(false);
  }

  // ---------------------------------------------------------------------------------------------

  private void checkConfig() {
    if (config == null) {
      cli.out.println("[skip] config: no --config FILE given (trusted proxies, pairing switch-off)");
      return;
    }
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
      props.load(r);
    } catch (IOException | IllegalArgumentException e) {
      verdict(false, "config", config + " cannot be read: " + e.getMessage(),
          "fix the file (a Java properties file, see docs/cli.md)");
      return;
    }
    List<String> unknown = new ArrayList<>();
    for (String k : props.stringPropertyNames()) {
      if (!CONFIG_KEYS.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      java.util.Collections.sort(unknown);
      verdict(false, "config", config + ": unknown key(s) " + String.join(", ", unknown),
          "a misspelt key is silently not applied by the gateway; known keys: "
              + String.join(", ", new java.util.TreeSet<>(CONFIG_KEYS)));
    }
    checkTrustedProxies(props.getProperty("trustedProxies", ""));
    checkPairingSwitch(props.getProperty("pairingRequired"));
  }

  private void checkTrustedProxies(String value) {
    List<String> entries = new ArrayList<>();
    for (String e : value.split(",")) {
      if (!e.isBlank()) {
        entries.add(e.strip());
      }
    }
    if (entries.isEmpty()) {
      verdict(true, "trusted proxies", "none configured: forwarded headers are ignored and the"
          + " socket address is the client address", "configure the reverse proxy's address if one"
          + " sits in front of the gateway, or every client looks like the proxy");
      return;
    }
    List<String> issues = new ArrayList<>();
    List<IpRange> ranges = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String e : entries) {
      try {
        IpRange r = IpRange.parse(e);
        for (int i = 0; i < ranges.size(); i++) {
          if (ranges.get(i).overlaps(r)) {
            issues.add("\"" + e + "\" overlaps \"" + texts.get(i) + "\"");
          }
        }
        if (r.coversPublicAddresses()) {
          issues.add("\"" + e + "\" includes public addresses (any host there could claim any"
              + " client address)");
        }
        ranges.add(r);
        texts.add(e);
      } catch (PairgateException ex) {
        issues.add("\"" + e + "\" is malformed: " + ex.getMessage());
      }
    }
    boolean ok = issues.isEmpty();
    verdict(ok, "trusted proxies", ok ? entries.size() + " entr" + (entries.size() == 1 ? "y" : "ies")
        + ", well-formed, disjoint and private: " + String.join(", ", entries) : String.join("; ", issues),
        ok ? "nothing to do" : "list only your reverse proxies' own addresses (a single address or"
            + " a private range), each once; a malformed entry makes the gateway refuse to start");
  }

  private void checkPairingSwitch(@Nullable String value) {
    if (value == null || value.strip().equalsIgnoreCase("true")) {
      verdict(true, "pairing", "required: new devices and upgrades need an operator's approval",
          "nothing to do");
    } else if (value.strip().equalsIgnoreCase("false")) {
      verdict(false, "pairing", "SWITCHED OFF (pairingRequired = false): any device with a valid"
          + " proof is allowed with whatever it asks for",
          "only for fully trusted private networks; devices are still recorded (approvedVia ="
              + " pairing-disabled) and can be blocked or revoked; set pairingRequired = true to"
              + " switch pairing back on");
    } else {
      verdict(false, "pairing", "pairingRequired = \"" + value.strip() + "\" is neither true nor false",
          "write pairingRequired = true (or false, for trusted private networks only)");
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void checkIdentities() {
    for (Path f : identities) {
      try {
        DeviceIdentity id = DeviceIdentity.load(f);
        String paired = "";
        try (StoreHandle h = cli.openForReading()) {
          Optional<PairedDevice> d = cli.service(h).device(id.deviceId());
          paired = d.map(p -> "; paired with roles " + Out.roles(p.roles()) + ", scopes "
              + Out.scopes(p.approvedScopes())).orElse("; not paired in this store");
        } catch (PairgateException e) {
          paired = "";
        }
        verdict(true, "identity", f + " is device " + id.deviceId() + paired,
            "keep this file (and back it up): a new key is a new device that must pair again");
      } catch (IdentityFileException e) {
        verdict(false, "identity", e.getMessage(),
            "do not let the client regenerate it: restore the file from a backup (or the"
                + " container volume it came from); only if it is lost, move it aside, let the"
                + " client create a new identity, approve that and remove the old device");
      }
    }
  }
}
