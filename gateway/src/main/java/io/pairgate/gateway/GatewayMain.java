package io.pairgate.gateway;

import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.spi.PairingStore;
import io.pairgate.store.jdbc.JdbcPairingStore;
import io.pairgate.store.json.JsonPairingStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;

/**
 * The gateway as a program: {@code pairgate gateway} delegates here, and tests start it in a child
 * JVM with {@code java -cp … io.pairgate.gateway.GatewayMain …}. It opens the store, starts a
 * {@link PairgateGateway}, prints the URL and the next commands, and runs until SIGTERM/SIGINT,
 * when it stops accepting, lets running requests finish their store writes, and closes the store.
 *
 * <pre>
 * pairgate gateway [--port 18789] [--bind 127.0.0.1] (--token-file F | --token-env VAR)
 *                  [--store DIR | --jdbc URL] [--auto-approve-local | --no-auto-approve-local]
 *                  [--trusted-proxy ADDR_OR_CIDR]... [--allowed-origin URL]...
 *                  [--gateway-host NAME]...
 *                  [--hello-scopes requested|token] [--no-console]
 * </pre>
 */
public final class GatewayMain {
  static final String USAGE = String.join("\n",
      "Usage: pairgate gateway [--port PORT] [--bind ADDRESS] (--token-file FILE | --token-env VAR)",
      "                        [--store DIR | --jdbc URL] [--[no-]auto-approve-local]",
      "                        [--trusted-proxy ADDRESS_OR_CIDR]... [--hello-scopes requested|token]",
      "                        [--allowed-origin URL]... [--gateway-host NAME]...",
      "                        [--no-console]",
      "",
      "Runs a WebSocket gateway speaking OpenClaw's gateway protocol (4) on a Pairgate store.",
      "",
      "  --port PORT            port to listen on (default 18789; 0 picks a free port)",
      "  --bind ADDRESS         address to bind (default 127.0.0.1). A non-loopback address",
      "                         needs a shared token.",
      "  --token-file FILE      read the shared token from FILE (first line; keep it 0600)",
      "  --token-env VAR        read the shared token from environment variable VAR",
      "  --token TOKEN          the shared token on the command line (works, but other users",
      "                         can see it in the process list: prefer --token-file)",
      "  --store DIR            store-json directory (default $PAIRGATE_HOME, else ~/.pairgate)",
      "  --jdbc URL             a JDBC store instead (jdbc:sqlite:FILE, jdbc:postgresql://...)",
      "  --auto-approve-local   approve connects from this host silently (the default): first",
      "                         pairing and upgrades of a local client holding the shared token;",
      "                         never operator.admin, a forwarded client or a foreign Origin",
      "  --no-auto-approve-local  every new device and upgrade waits for an operator",
      "  --trusted-proxy ADDR   a reverse proxy whose X-Forwarded-For is believed (repeatable)",
      "  --allowed-origin URL   a browser origin besides the gateway's own that may connect,",
      "                         e.g. https://gateway.example.com for the console behind a TLS",
      "                         proxy (scheme://host[:port], repeatable; others are refused)",
      "  --gateway-host NAME    a host name browsers use to reach this gateway, e.g.",
      "                         gateway.lan: a page at http://NAME:PORT is then its own origin",
      "                         (repeatable). Without it only IP addresses and localhost are,",
      "                         so a DNS-rebinding page (evil.example re-pointed here) is refused",
      "  --hello-scopes MODE    hello-ok auth.scopes: requested (OpenClaw 2026.9, default) or",
      "                         token (2026.6)",
      "  --no-console           do not serve the operator console at /console",
      "");

  private GatewayMain() {}

  /** Runs the gateway until the JVM is asked to stop; exits with the code of {@link #run}. */
  public static void main(String[] args) {
    int code = run(args, System.out, System.err, System.getenv());
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Parsed options. */
  record Options(int port, String bind, @Nullable String token, @Nullable Path store,
      @Nullable String jdbc, boolean autoApproveLocal, List<String> trustedProxies,
      HelloScopes helloScopes, boolean tokenOnCommandLine, List<String> allowedOrigins,
      boolean console, List<String> gatewayHosts) {}

  static Options parse(String[] args, Map<String, String> env) {
    int port = PairgateGateway.DEFAULT_PORT;
    String bind = "127.0.0.1";
    String token = null;
    int tokenSources = 0;
    boolean tokenOnCommandLine = false;
    Path store = null;
    String jdbc = null;
    boolean auto = true;
    List<String> proxies = new ArrayList<>();
    List<String> origins = new ArrayList<>();
    List<String> gatewayHosts = new ArrayList<>();
    HelloScopes hello = HelloScopes.REQUESTED;
    boolean console = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        v = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      switch (a) {
        case "--auto-approve-local":
          auto = true;
          continue;
        case "--no-auto-approve-local":
          auto = false;
          continue;
        case "--no-console":
          console = false;
          continue;
        default:
          break;
      }
      if (v == null) {
        if (i + 1 >= args.length) {
          throw usage("option " + a + " needs a value");
        }
        v = args[++i];
      }
      switch (a) {
        case "--port":
          try {
            port = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw usage("--port expects a number, got " + v);
          }
          break;
        case "--bind":
          bind = v;
          break;
        case "--token-file":
          tokenSources++;
          try {
            List<String> lines = Files.readAllLines(Path.of(v), StandardCharsets.UTF_8);
            token = lines.isEmpty() ? "" : lines.get(0).strip();
          } catch (IOException e) {
            throw usage("cannot read the token file " + v + ": " + e.getMessage());
          }
          break;
        case "--token-env":
          tokenSources++;
          token = env.get(v);
          if (token == null || token.isBlank()) {
            throw usage("environment variable " + v + " is not set or empty");
          }
          break;
        case "--token":
          tokenSources++;
          token = v;
          tokenOnCommandLine = true;
          break;
        case "--store":
          store = Path.of(v);
          break;
        case "--jdbc":
          jdbc = v;
          break;
        case "--trusted-proxy":
          proxies.add(v);
          break;
        case "--allowed-origin":
          origins.add(v);
          break;
        case "--gateway-host":
          io.pairgate.policy.BrowserOrigin.parseGatewayHost(v); // a clear error before starting
          gatewayHosts.add(v);
          break;
        case "--hello-scopes":
          if (v.equals("requested")) {
            hello = HelloScopes.REQUESTED;
          } else if (v.equals("token")) {
            hello = HelloScopes.TOKEN;
          } else {
            throw usage("--hello-scopes expects requested or token, got " + v);
          }
          break;
        default:
          throw usage("unknown option " + a);
      }
    }
    if (tokenSources > 1) {
      throw usage("give the shared token once: --token-file, --token-env or --token");
    }
    if (store != null && jdbc != null) {
      throw usage("--store and --jdbc exclude each other");
    }
    if (token != null && token.strip().length() < 16) {
      throw usage("the shared token must have at least 16 characters");
    }
    return new Options(port, bind, token, store, jdbc, auto, List.copyOf(proxies), hello,
        tokenOnCommandLine, List.copyOf(origins), console, List.copyOf(gatewayHosts));
  }

  private static PairgateException usage(String message) {
    return new PairgateException(ErrorCode.INVALID_ARGUMENT, message);
  }

  /**
   * Parses {@code args}, starts the gateway and blocks until the JVM shuts down (SIGTERM, SIGINT),
   * then closes the gateway and the store. Returns 0 after a clean run, 2 for bad options, 1 when
   * the gateway cannot start.
   */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.print(USAGE);
        return 0;
      }
    }
    Options o;
    try {
      o = parse(args, env);
    } catch (PairgateException e) {
      err.println("pairgate gateway: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (o.tokenOnCommandLine()) {
      err.println("pairgate gateway: warning: --token puts the shared token in the process list"
          + " and shell history; prefer --token-file or --token-env");
    }
    if (o.token() == null && !PairgateGateway.Builder.isLoopback(o.bind())) {
      err.println("pairgate gateway: refusing to listen on " + o.bind() + " without a shared"
          + " token: anyone who can reach it could ask to pair; give --token-file or"
          + " --token-env, or bind to 127.0.0.1");
      return 2;
    }
    PairingStore store;
    String storeText;
    try {
      if (o.jdbc() != null) {
        String url = o.jdbc();
        JdbcPairingStore.Builder b =
            url.startsWith("jdbc:sqlite:") && !url.contains("?") && !url.contains(":memory:")
                ? JdbcPairingStore.sqlite(Path.of(url.substring("jdbc:sqlite:".length())))
                : JdbcPairingStore.url(url);
        store = b.open();
        storeText = "--jdbc " + url.replaceAll("(?i)(password=)[^&;]*", "$1***");
      } else {
        Path dir = o.store() != null ? o.store() : defaultStore(env);
        store = JsonPairingStore.open(dir);
        storeText = "--store " + dir;
      }
    } catch (PairgateException e) {
      err.println("pairgate gateway: cannot open the store: " + e.getMessage());
      return 1;
    }
    PairgateGateway gw;
    try {
      PairgateGateway.Builder b = PairgateGateway.builder(store)
          .bind(o.bind())
          .port(o.port())
          .autoApproveLocal(o.autoApproveLocal())
          .trustedProxies(o.trustedProxies())
          .helloScopes(o.helloScopes())
          .allowedOrigins(o.allowedOrigins())
          .gatewayHosts(o.gatewayHosts())
          .console(o.console());
      if (PairgateGateway.Builder.isLoopback(o.bind())) {
        // the exact command for this store; not on a reachable port (it names the store's place)
        b.consoleApproveCommand("pairgate " + shellWords(storeText) + " devices approve");
      }
      if (o.token() != null) {
        b.sharedToken(o.token());
      }
      gw = b.start();
    } catch (PairgateException | java.io.UncheckedIOException e) {
      err.println("pairgate gateway: " + e.getMessage());
      store.close();
      return e instanceof PairgateException ? 2 : 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      out.println("pairgate gateway: stopping (finishing running requests, then closing the store)");
      out.flush();
      stopped.countDown();
      try {
        done.await(); // let the main thread finish the shutdown before the JVM halts
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "pairgate-gateway-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    String tokenFlag = o.token() == null ? "" : " --token <token>";
    out.println("Pairgate gateway listening on " + gw.url()
        + " (store " + storeText + ", auth " + (o.token() == null ? "none" : "shared token")
        + ", auto-approve-local " + (o.autoApproveLocal() ? "on" : "off") + ")");
    out.println("Next:");
    out.println("  openclaw devices list --url " + gw.url() + tokenFlag);
    out.println("  pairgate " + storeText + " devices list");
    out.println("  pairgate " + storeText + " devices approve <requestId>");
    if (o.console()) {
      out.println("  open " + gw.consoleUrl() + " (operator console; approve it with the command"
          + " it shows)");
    }
    out.println("Stop with Ctrl-C or SIGTERM.");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      gw.close();
      store.close();
      out.println("pairgate gateway: stopped; store closed");
      out.flush();
    } finally {
      done.countDown();
    }
    return 0;
  }

  /** {@code --store DIR} with the value quoted for a POSIX shell when it needs it. */
  static String shellWords(String optionAndValue) {
    int sp = optionAndValue.indexOf(' ');
    String opt = optionAndValue.substring(0, sp);
    String v = optionAndValue.substring(sp + 1);
    return v.matches("[A-Za-z0-9_./:=@%+,-]+") ? opt + " " + v
        : opt + " '" + v.replace("'", "'\\''") + "'";
  }

  static Path defaultStore(Map<String, String> env) {
    String home = env.get("PAIRGATE_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    return Path.of(System.getProperty("user.home"), ".pairgate");
  }

}
