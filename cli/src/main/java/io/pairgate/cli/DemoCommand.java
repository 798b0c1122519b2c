package io.pairgate.cli;

import io.pairgate.AuthMethod;
import io.pairgate.Challenge;
import io.pairgate.ClientInfo;
import io.pairgate.ConnectResult;
import io.pairgate.PairingService;
import io.pairgate.Role;
import io.pairgate.client.ConnectProof;
import io.pairgate.client.DeviceIdentity;
import io.pairgate.client.TokenCache;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code pairgate demo}: the seed story on a fresh temporary store, with real keys
 * ({@link DeviceIdentity}), real signatures ({@link ConnectProof}) and the real operator commands.
 */
@Command(name = "demo",
    description = "Walk through pairing on a fresh temporary store, with real keys and signatures.")
final class DemoCommand implements Callable<Integer> {
  private static final String GATEWAY = "demo-gateway";
  /** How long the demo gateway keeps a pending request. */
  static final java.time.Duration DEMO_PENDING_TTL = java.time.Duration.ofDays(7);
  private final Cli cli;

  @Option(names = "--dir", paramLabel = "DIR",
      description = "Where to create the demo store and identities (default: a new temporary"
          + " directory). Must not exist yet or be empty.")
  @Nullable Path dir;

  DemoCommand(Cli cli) {
    this.cli = cli;
  }

  /** A device in the story: an identity on disk, its client details, its token cache. */
  private final class Device {
    final String name;
    final DeviceIdentity identity;
    final ClientInfo client;

    Device(String name, Path file, ClientInfo client) {
      this.name = name;
      this.identity = DeviceIdentity.loadOrCreate(file, cli.clock);
      this.client = client;
    }

    String shortId() {
      return Out.shortId(identity.deviceId().value());
    }
  }

  private PairingService gateway;
  private TokenCache tokens;
  private Path store;
  private int failures;

  @Override
  public Integer call() throws IOException {
    Path root = dir != null ? dir : Files.createTempDirectory("pairgate-demo-");
    if (dir != null) {
      Files.createDirectories(root);
      try (var s = Files.list(root)) {
        if (s.findAny().isPresent()) {
          throw new Errors.UsageException("--dir " + root + " is not empty; the demo needs a fresh directory");
        }
      }
    }
    store = root.resolve("store");
    tokens = TokenCache.persistent(root.resolve("identities/tokens.json"), cli.clock);
    PrintWriter out = cli.out;
    out.println("Pairgate demo: a gateway, an operator and three devices, with real Ed25519 keys");
    out.println("and signatures. Store (store-json): " + store);
    try (StoreHandle h = StoreHandle.json(store, StoreHandle.Mode.CREATE)) {
      // The demo gateway keeps requests for a week (a real gateway's default is 5 minutes), so the
      // request it leaves for the reader cannot expire before they approve it.
      gateway = PairingService.builder(h.store()).clock(cli.clock).pendingTtl(DEMO_PENDING_TTL)
          .build();
      run(root);
    }
    if (failures > 0) {
      cli.err.println("pairgate: the demo did not go as expected (" + failures + " step(s) above)");
      return Main.FAILED;
    }
    return Main.OK;
  }

  private void run(Path root) {
    PrintWriter out = cli.out;
    Device laptop = new Device("laptop", root.resolve("identities/laptop.json"),
        ClientInfo.of("cli", "cli", "linux").withDisplayName("Ada's laptop"));
    step(1, "A new laptop connects and asks for operator.read and operator.write.");
    out.println("    Its identity (Ed25519 key, device id " + laptop.shortId() + ", the first 12 of 64 hex"
        + " digits) was created in");
    out.println("    " + root.resolve("identities/laptop.json") + " (mode 0600).");
    ConnectResult r = connect(laptop, "operator.read", "operator.write");
    String first = expectPairing(r, "not-paired");

    step(2, "The operator lists pending requests and approves this one.");
    operator("devices", "list", "--pending");
    operator("devices", "approve", first);

    step(3, "The laptop connects again and is allowed.");
    r = connect(laptop, "operator.read", "operator.write");
    expectAllowed(r);

    step(4, "The operator rotates the laptop's token to something narrower (read only).");
    out.println("    The approved baseline stays read+write; only the token shrinks.");
    String rotated = operatorQuiet("devices", "rotate", "--device", laptop.identity.deviceId().value(),
        "--role", "operator", "--scope", "operator.read");
    out.println("    $ pairgate devices rotate --device " + laptop.shortId()
        + " --role operator --scope operator.read");
    for (String line : rotated.split("\n")) {
      out.println("      " + (line.strip().startsWith("token") ? "  token   <43 characters, shown once>" : line));
    }
    String newToken = rotated.lines().filter(l -> l.strip().startsWith("token"))
        .map(l -> l.strip().substring("token".length()).strip()).findFirst().orElse("");
    tokens.put(GATEWAY, laptop.identity.deviceId(), Role.OPERATOR, newToken,
        io.pairgate.ScopeSet.of("operator.read"));
    out.println("    The laptop reconnects with its new device token, asking for operator.read:");
    r = connect(laptop, AuthMethod.DEVICE_TOKEN, newToken, "operator.read");
    expectAllowed(r);
    out.println("    With the gateway's shared auth it may still ask for read+write: that is within the");
    out.println("    approved baseline, so no approval is needed (and its token grows back to cover it).");
    r = connect(laptop, "operator.read", "operator.write");
    expectAllowed(r);

    step(5, "The laptop now wants operator.pairing too: scope-upgrade.");
    out.println("    It retries like a real client does; the request id stays the same:");
    Set<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < 3; i++) {
      ids.add(expectPairing(connect(laptop, "operator.read", "operator.pairing"), "scope-upgrade"));
    }
    out.println("    A retry asking for less (operator.pairing alone) is covered by the same request:");
    ids.add(expectPairing(connect(laptop, "operator.pairing"), "scope-upgrade"));
    if (ids.size() == 1) {
      out.println("    → 4 reconnects, 1 request id: " + ids.iterator().next());
    } else {
      fail("expected one stable request id, got " + ids);
    }
    String upgrade = ids.iterator().next();
    operator("devices", "explain", upgrade);

    step(6, "One approval converges.");
    operator("devices", "approve", upgrade);
    out.println("    Every profile the laptop used is now allowed, with no new request:");
    List<List<String>> profiles = List.of(
        List.of("operator.read"), List.of("operator.read", "operator.write"),
        List.of("operator.pairing"), List.of("operator.read", "operator.pairing"),
        List.of("operator.write", "operator.pairing"));
    for (List<String> p : profiles) {
      expectAllowed(connect(laptop, p.toArray(new String[0])));
    }

    step(7, "A device the operator does not trust is blocked and refused.");
    Device unknown = new Device("kiosk", root.resolve("identities/kiosk.json"),
        ClientInfo.of("webchat", "webchat", "windows"));
    expectPairing(connect(unknown, "operator.admin"), "not-paired");
    operator("devices", "block", unknown.identity.deviceId().value());
    ConnectResult blocked = connect(unknown, "operator.admin");
    if (blocked instanceof ConnectResult.Rejected rej && rej.code() == io.pairgate.ErrorCode.BLOCKED) {
      out.println("    (no request was created; the block holds until 'devices unblock')");
    } else {
      fail("expected the blocked device to be rejected, got " + blocked);
    }

    step(8, "Your turn: a phone is waiting for approval right now (the demo gateway keeps its"
        + " request for " + DEMO_PENDING_TTL.toDays() + " days; a real gateway's default is 5 minutes).");
    Device phone = new Device("phone", root.resolve("identities/phone.json"),
        ClientInfo.of("openclaw-ios", "ui", "iOS 18.1").withDeviceFamily("iphone"));
    String phoneRequest = expectPairing(connect(phone, "operator.read"), "not-paired");
    String s = "--store " + store;
    out.println();
    out.println("Try the same by hand (" + "or export PAIRGATE_HOME=" + store + " and drop --store):");
    out.println("  ./pairgate " + s + " devices list");
    out.println("  ./pairgate " + s + " devices explain " + phoneRequest);
    out.println("  ./pairgate " + s + " devices approve --latest");
    out.println("  ./pairgate " + s + " devices rotate --device " + laptop.shortId()
        + " --role operator --scope operator.read");
    out.println("  ./pairgate " + s + " devices revoke --device " + laptop.shortId() + " --role operator");
    out.println("  ./pairgate " + s + " devices unblock " + unknown.shortId());
    out.println("  ./pairgate " + s + " store check");
    out.println("  ./pairgate " + s + " doctor --identity " + root.resolve("identities/laptop.json"));
    out.println("  ./pairgate scenario run testkit/src/main/resources/io/pairgate/testkit/scenarios");
    out.println("  ./pairgate simulate --seed 7");
    out.println("The demo directory is " + root + "; delete it when you are done.");
  }

  private void step(int n, String title) {
    cli.out.println();
    cli.out.println(n + ". " + title);
  }

  private ConnectResult connect(Device d, String... scopes) {
    return connect(d, AuthMethod.SHARED_TOKEN, "demo-shared-token", scopes);
  }

  private ConnectResult connect(Device d, AuthMethod auth, String token, String... scopes) {
    Challenge c = gateway.issueChallenge();
    ConnectProof proof = ConnectProof.builder(d.identity, cli.clock)
        .role(Role.OPERATOR)
        .scopes(scopes)
        .client(d.client)
        .auth(auth, token)
        .sign(c);
    ConnectResult r = gateway.connect(proof.toAttempt(c).peerAddress("127.0.0.1").build());
    String ask = String.join(",", scopes);
    String how = auth == AuthMethod.DEVICE_TOKEN ? " with its device token" : "";
    String answer = r.fold(
        a -> "allowed as " + a.role() + " with " + Out.scopes(a.scopes())
            + (a.tokenIssued() ? "; device token issued (" + Out.scopes(a.token().scopes()) + ")"
                : ""),
        p -> "pairing required (" + p.reason().wireName() + "), request " + p.requestId()
            + " [" + p.requestChange().name().toLowerCase(java.util.Locale.ROOT) + "]",
        x -> "refused: " + x.code().wireName() + " (" + x.message() + ")");
    cli.out.println("    " + d.name + " → connect" + how + " asking for " + ask);
    cli.out.println("    gateway ← " + answer);
    if (r instanceof ConnectResult.Allowed a && a.tokenIssued()) {
      tokens.remember(GATEWAY, a);
    }
    return r;
  }

  private String expectPairing(ConnectResult r, String reason) {
    if (r instanceof ConnectResult.PairingRequired p && p.reason().wireName().equals(reason)) {
      return p.requestId().value();
    }
    fail("expected pairing required (" + reason + "), got " + r);
    return "";
  }

  private void expectAllowed(ConnectResult r) {
    if (!(r instanceof ConnectResult.Allowed)) {
      fail("expected allowed, got " + r);
    }
  }

  private void fail(String what) {
    failures++;
    cli.out.println("    !! " + what);
  }

  /** Runs a real CLI command against the demo store and shows it with its output. */
  private void operator(String... args) {
    cli.out.println("    $ pairgate " + String.join(" ", shorten(args)));
    String output = operatorQuiet(args);
    for (String line : output.split("\n")) {
      cli.out.println("      " + line);
    }
  }

  private static List<String> shorten(String[] args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      out.add(io.pairgate.DeviceId.isWellFormed(a) ? a.substring(0, 12) : a);
    }
    return out;
  }

  private String operatorQuiet(String... args) {
    StringWriter buf = new StringWriter();
    StringWriter errBuf = new StringWriter();
    Cli sub = new Cli(new PrintWriter(buf, true), new PrintWriter(errBuf, true), cli.env, cli.clock);
    sub.storeDir = store;
    CommandLine cl = Main.commandLine(sub);
    int code = cl.execute(args);
    if (code != 0) {
      fail("'pairgate " + String.join(" ", args) + "' exited " + code + ": " + errBuf.toString().strip());
    }
    return buf.toString().stripTrailing();
  }
}
