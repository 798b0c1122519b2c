package io.pairgate.gateway;

import io.netty.util.concurrent.EventExecutorGroup;
import io.pairgate.ErrorCode;
import io.pairgate.PairgateException;
import io.pairgate.PairingService;
import io.pairgate.PairingServiceBuilder;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.gateway.internal.Hub;
import io.pairgate.gateway.internal.Origins;
import io.pairgate.gateway.internal.Server;
import io.pairgate.policy.IpAddress;
import io.pairgate.policy.TrustedProxies;
import io.pairgate.spi.ChangeListener;
import io.pairgate.spi.ChangeSubscription;
import io.pairgate.spi.PairingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running WebSocket gateway that speaks OpenClaw's gateway protocol (version 4) and lets a
 * {@link PairingService} decide every connect: the reference embedding of Pairgate.
 *
 * <pre>{@code
 * try (PairgateGateway gw = PairgateGateway.builder(store)
 *     .sharedToken(token)                 // clients present it in connect.auth.token
 *     .port(18789)                        // 0: any free port
 *     .start()) {
 *   System.out.println(gw.url());         // ws://127.0.0.1:18789
 *   ...
 * }
 * }</pre>
 *
 * <p>The gateway builds its own {@link PairingService} on the store so that it can hear every
 * committed change (to send {@code device.pair.requested}/{@code resolved} events and to close a
 * revoked device's sockets); tune core's options with {@link Builder#pairing(Consumer)}. When the
 * store {@linkplain PairingStore#subscribe notifies} changes made by other processes (the JDBC
 * store on PostgreSQL does), a device revoked, removed or blocked through another gateway or the
 * {@code pairgate} tool is disconnected here too. The store stays the caller's: {@link #close()}
 * does not close it. See {@code docs/gateway.md}.
 */
public final class PairgateGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.gateway");

  /** The port OpenClaw's gateway listens on by default. */
  public static final int DEFAULT_PORT = 18789;

  private final Server server;
  private final PairingService pairing;
  private final String host;
  private final Hub hub;
  private final @Nullable ChangeSubscription subscription;

  private PairgateGateway(Server server, PairingService pairing, String host, Hub hub,
      @Nullable ChangeSubscription subscription) {
    this.server = server;
    this.pairing = pairing;
    this.host = host;
    this.hub = hub;
    this.subscription = subscription;
  }

  /** A builder for a gateway on {@code store}. */
  public static Builder builder(PairingStore store) {
    return new Builder(store);
  }

  /** The port the gateway listens on. */
  public int port() {
    return server.port();
  }

  /** The address the gateway is bound to. */
  public String host() {
    return host;
  }

  /**
   * The operator console's address, {@code http://host:port/console} (served when
   * {@link Builder#console(boolean)} is on, the default).
   */
  public String consoleUrl() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port() + "/console";
  }

  /** {@code ws://host:port} (IPv6 hosts in brackets). */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "ws://" + h + ":" + port();
  }

  /** The pairing service deciding connects (use it for operator actions in-process). */
  public PairingService pairing() {
    return pairing;
  }

  /** The number of live (connected, past hello) WebSocket connections. */
  public int connections() {
    return hub.connectionCount();
  }

  /**
   * Stops accepting connections, closes the live ones with 1012 "service restart", waits (up to
   * 10 s) for running requests — and so for their store writes — to finish, and releases the
   * threads. The store is not closed.
   */
  @Override
  public void close() {
    if (subscription != null) {
      subscription.close();
    }
    server.close();
  }

  /**
   * Configures a {@link PairgateGateway}. The options the gateway shares with core (clock,
   * trusted proxies, {@code X-Real-IP} fallback, silent local approval, untrusted forwarded
   * headers, never-silent scopes, allowed origins) are passed at once to the core
   * {@link PairingServiceBuilder} this builder wraps, which validates them; the gateway keeps only
   * what its own transport checks read. One builder starts one gateway.
   */
  public static final class Builder {
    private final PairingStore store;
    private final PairingServiceBuilder core;
    private final List<Consumer<PairingServiceBuilder>> pairingOptions = new ArrayList<>();
    private boolean started;
    private String host = "127.0.0.1";
    private int port = DEFAULT_PORT;
    private @Nullable String sharedToken;
    private boolean autoApproveLocal = true;
    private TrustedProxies trustedProxies = TrustedProxies.none();
    private boolean allowRealIpFallback;
    private boolean rejectUntrustedForwarded = true;
    private HelloScopes helloScopes = HelloScopes.REQUESTED;
    private Duration connectTimeout = Duration.ofSeconds(15);
    private int maxFrameBytes = 64 * 1024;
    private Duration tickInterval = Duration.ofSeconds(30);
    private ScopeSet sharedTokenOperatorScopes =
        ScopeSet.of(Scope.OPERATOR_PAIRING.toString(), Scope.OPERATOR_READ.toString());
    private String serverVersion = "pairgate-0.1.0";
    private Clock clock = Clock.systemUTC();
    private int workThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private boolean allowNonLoopbackWithoutToken;
    private List<io.pairgate.policy.BrowserOrigin> allowedOrigins = List.of();
    private Set<String> gatewayHostsParsed = Set.of();
    private boolean console = true;
    private String consoleApproveCommand = "pairgate devices approve";

    private Builder(PairingStore store) {
      this.store = Objects.requireNonNull(store, "store");
      // the gateway's defaults where they differ from core's (see the setters)
      this.core = PairingService.builder(store)
          .clock(clock)
          .autoApproveLocal(autoApproveLocal)
          .rejectUntrustedForwarded(rejectUntrustedForwarded);
    }

    /** The address to bind (default {@code 127.0.0.1}). A literal IP address or {@code localhost}. */
    public Builder bind(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** The port (default {@value PairgateGateway#DEFAULT_PORT}; 0 picks a free port). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw invalid("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The gateway's shared token (clients send it in {@code connect.auth.token}). Without one the
     * gateway runs with auth {@code none} and only binds to loopback. At least 16 characters.
     */
    public Builder sharedToken(String token) {
      Objects.requireNonNull(token, "token");
      if (token.strip().length() < 16) {
        throw invalid("the shared token must have at least 16 characters");
      }
      this.sharedToken = token.strip();
      return this;
    }

    /**
     * Whether a connection from this host is approved silently (core's {@code autoApproveLocal},
     * R11.2). Default true here (the library's own default may differ): a local OpenClaw CLI
     * holding the shared token works as it does with OpenClaw's gateway. Core still never
     * approves a forwarded client, a foreign browser Origin or {@code operator.admin} silently.
     * See docs/gateway.md.
     */
    public Builder autoApproveLocal(boolean on) {
      core.autoApproveLocal(on);
      this.autoApproveLocal = on;
      return this;
    }

    /**
     * Reverse proxies whose forwarding headers are believed, by the gateway and by core
     * ({@link PairingServiceBuilder#trustedProxies(List)}, which validates them). Default none.
     */
    public Builder trustedProxies(List<String> proxies) {
      core.trustedProxies(proxies);
      this.trustedProxies = TrustedProxies.parse(proxies);
      return this;
    }

    /**
     * Whether {@code X-Real-IP} may name the client behind a trusted proxy, for the gateway and
     * core ({@link PairingServiceBuilder#allowRealIpFallback(boolean)}; default false).
     */
    public Builder allowRealIpFallback(boolean allow) {
      core.allowRealIpFallback(allow);
      this.allowRealIpFallback = allow;
      return this;
    }

    /**
     * Whether an upgrade carrying forwarded headers from a peer that is not a trusted proxy is
     * refused with HTTP 403 before any WebSocket exists (default true, as OpenClaw 2026.9). Core
     * refuses such a connect too ({@link PairingServiceBuilder#rejectUntrustedForwarded}); the
     * gateway's 403 at the upgrade comes first.
     */
    public Builder rejectUntrustedForwarded(boolean reject) {
      core.rejectUntrustedForwarded(reject);
      this.rejectUntrustedForwarded = reject;
      return this;
    }

    /**
     * Scopes that are never approved silently ({@link PairingServiceBuilder#neverSilent(List)});
     * core's default, {@code operator.admin}, applies when this is not called, and an empty list
     * changes nothing.
     */
    public Builder neverSilent(List<String> scopes) {
      if (!scopes.isEmpty()) {
        core.neverSilent(scopes);
      }
      return this;
    }

    /** What {@code hello-ok.auth.scopes} reports (default {@link HelloScopes#REQUESTED}). */
    public Builder helloScopes(HelloScopes mode) {
      this.helloScopes = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** How long a new socket may take to send {@code connect} (default 15 s, as OpenClaw). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive("connectTimeout", timeout);
      return this;
    }

    /** The largest inbound WebSocket message (default 64 KiB); larger closes with 1009. */
    public Builder maxFrameBytes(int bytes) {
      if (bytes < 1024 || bytes > 16 * 1024 * 1024) {
        throw invalid("maxFrameBytes must be 1 KiB..16 MiB, was " + bytes);
      }
      this.maxFrameBytes = bytes;
      return this;
    }

    /** The interval of {@code tick} events (default 30 s). */
    public Builder tickInterval(Duration interval) {
      this.tickInterval = positive("tickInterval", interval);
      return this;
    }

    /**
     * The most a device-less connect holding the shared token may get (default
     * {@code operator.pairing, operator.read}). Such a connect must come directly from this host
     * (no proxy, no forwarded headers, no browser Origin); it gets the requested scopes that this
     * ceiling implies. {@code operator.admin} is refused here: admin is only ever granted to a
     * paired device. See docs/gateway.md, "Device-less shared-token connects".
     */
    public Builder sharedTokenOperatorScopes(ScopeSet ceiling) {
      for (Scope s : ceiling) {
        if (s.equals(Scope.OPERATOR_ADMIN)) {
          throw invalid("the shared-token operator ceiling may not include operator.admin");
        }
        if (!s.belongsTo(Role.OPERATOR)) {
          throw invalid("the shared-token operator ceiling holds operator scopes only, not " + s);
        }
      }
      this.sharedTokenOperatorScopes = ceiling;
      return this;
    }

    /**
     * Browser origins, besides the gateway's own, whose pages may open a session, e.g.
     * {@code https://gateway.example.com} for a console reached through a TLS proxy. Default none.
     * A connect with any other {@code Origin} is refused ({@code ORIGIN_NOT_ALLOWED}, close 1008)
     * and changes nothing: first by the gateway, before the pairing service sees it, then by core
     * (its {@code allowedOrigins}, R16.4). The gateway's own origin is {@code http://<Host>} when
     * {@code Host} is an IP address or {@code localhost}; a host name (which DNS rebinding can
     * point at the gateway) counts only when it is one of {@link #gatewayHosts(List)} or its
     * origin is listed here (R16.5). Replaces any earlier list.
     *
     * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} for anything but
     *     {@code scheme://host[:port]}
     */
    public Builder allowedOrigins(List<String> origins) {
      List<io.pairgate.policy.BrowserOrigin> out = new ArrayList<>();
      for (String o : origins) {
        out.add(Origins.parseAllowed(Objects.requireNonNull(o, "origin")));
      }
      core.allowedOrigins(origins);
      this.allowedOrigins = List.copyOf(out);
      return this;
    }

    /**
     * The host names by which browsers reach this gateway (default none), e.g.
     * {@code gateway.example.com}: a page whose {@code Origin} is {@code http://<name>:<port>}
     * and whose {@code Host} is that name and port counts as the gateway's own origin only when
     * the name is listed here (or is {@code localhost} or an IP address literal), because any
     * other name may be an attacker's domain re-pointed at the gateway's address (DNS rebinding,
     * R16.5). Passed to core as {@code PairingServiceBuilder.gatewayHosts}, so both apply the
     * same rule. Replaces any earlier list.
     *
     * @throws PairgateException {@link ErrorCode#INVALID_ARGUMENT} for anything but a bare host
     *     name (no scheme, port or path)
     */
    public Builder gatewayHosts(List<String> hosts) {
      Set<String> out = new java.util.LinkedHashSet<>();
      for (String h : hosts) {
        out.add(io.pairgate.policy.BrowserOrigin.parseGatewayHost(
            Objects.requireNonNull(h, "host")));
      }
      core.gatewayHosts(hosts);
      this.gatewayHostsParsed = Set.copyOf(out);
      return this;
    }

    /**
     * Whether the operator console is served at {@code /console} (default true). The console is a
     * device like any other: it must be approved before it can do anything. See
     * {@code docs/console.md}.
     */
    public Builder console(boolean serve) {
      this.console = serve;
      return this;
    }

    /**
     * The command the console shows a not-yet-approved visitor, followed by its request id
     * (default {@code pairgate devices approve}); {@code pairgate gateway} names its store here
     * when bound to loopback. Anyone who can reach the port can read it: put no secret in it.
     */
    public Builder consoleApproveCommand(String command) {
      Objects.requireNonNull(command, "command");
      if (command.isBlank() || command.length() > 1024
          || command.codePoints().anyMatch(Character::isISOControl)) {
        throw invalid("consoleApproveCommand must be one line of at most 1024 characters");
      }
      this.consoleApproveCommand = command.strip();
      return this;
    }

    /** The {@code server.version} sent in hello-ok. */
    public Builder serverVersion(String version) {
      this.serverVersion = Objects.requireNonNull(version, "version");
      return this;
    }

    /** The clock for challenges, ticks and the service (default system UTC). */
    public Builder clock(Clock clock) {
      core.clock(clock);
      this.clock = clock;
      return this;
    }

    /** Threads that run connects and RPCs, which may block on the store (default 2 × cores, ≥ 4). */
    public Builder workThreads(int threads) {
      if (threads < 1) {
        throw invalid("workThreads must be >= 1, was " + threads);
      }
      this.workThreads = threads;
      return this;
    }

    /**
     * Further options of core's {@link PairingServiceBuilder} (applied by {@link #start()}, after
     * the gateway's own: clock, trusted proxies, {@code autoApproveLocal}, its audit listener),
     * e.g. {@code b -> b.maxPending(200)}.
     */
    public Builder pairing(Consumer<PairingServiceBuilder> options) {
      pairingOptions.add(Objects.requireNonNull(options, "options"));
      return this;
    }

    /**
     * Starts the gateway.
     *
     * @throws PairgateException with {@link ErrorCode#INVALID_ARGUMENT} for a non-loopback bind
     *     without a shared token, or an invalid option
     * @throws IllegalStateException if this builder already started a gateway
     * @throws java.io.UncheckedIOException if the port cannot be bound
     */
    public PairgateGateway start() {
      boolean loopback = isLoopback(host);
      if (!loopback && sharedToken == null && !allowNonLoopbackWithoutToken) {
        throw invalid("refusing to listen on " + host + " without a shared token: anyone who can"
            + " reach it could ask to pair; set a token or bind to 127.0.0.1");
      }
      if (started) {
        throw new IllegalStateException("this builder already started a gateway");
      }
      started = true;
      Hub[] hubRef = new Hub[1];
      core.auditListener(e -> {
        Hub h = hubRef[0];
        if (h != null) {
          h.onAudit(e);
        }
      });
      pairingOptions.forEach(o -> o.accept(core));
      PairingService service = core.build();
      EventExecutorGroup work = Server.newWorkGroup(workThreads);
      Hub hub = new Hub(service, store, new Hub.Settings(sharedToken, trustedProxies,
          allowRealIpFallback, rejectUntrustedForwarded, helloScopes, connectTimeout,
          maxFrameBytes, tickInterval, sharedTokenOperatorScopes, serverVersion, clock,
          allowedOrigins, gatewayHostsParsed, console, consoleApproveCommand), work);
      hubRef[0] = hub;
      Server server = Server.start(hub, work, host, port);
      ChangeSubscription sub = null;
      Optional<ChangeSubscription> s = store.subscribe(new ChangeListener() {
        @Override
        public void changed(io.pairgate.DeviceId deviceId) {
          hub.recheck(deviceId);
        }

        @Override
        public void missed() {
          hub.recheckAll();
        }
      });
      if (s.isPresent()) {
        sub = s.get();
      }
      LOG.info("Pairgate gateway listening on {}:{} (auth {}, autoApproveLocal {}, store change"
          + " notifications {})", host, server.port(), sharedToken == null ? "none" : "token",
          autoApproveLocal, sub == null ? "off" : "on");
      return new PairgateGateway(server, service, host, hub, sub);
    }

    static boolean isLoopback(String host) {
      if (host.equalsIgnoreCase("localhost")) {
        return true;
      }
      return IpAddress.tryParse(host).map(IpAddress::isLoopback).orElse(false);
    }

    private static Duration positive(String name, Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw invalid(name + " must be positive, was " + d);
      }
      return d;
    }

    private static PairgateException invalid(String message) {
      return new PairgateException(ErrorCode.INVALID_ARGUMENT, message);
    }
  }
}
