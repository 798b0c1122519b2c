package io.pairgate.gateway.internal;

import io.pairgate.RequestId;
import io.pairgate.DeviceId;
import io.pairgate.PairingService;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import io.pairgate.audit.AuditEvent;
import io.pairgate.gateway.HelloScopes;
import io.pairgate.policy.TrustedProxies;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.spi.PairingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every connection shares: the service, the store, the settings, and the registry of live
 * connections (by device, and the operators that receive pairing events).
 */
public final class Hub {
  private static final Logger LOG = LoggerFactory.getLogger("io.pairgate.gateway");

  /** Settings, fixed at start. */
  public record Settings(
      @Nullable String sharedToken,
      TrustedProxies trustedProxies,
      boolean allowRealIpFallback,
      boolean rejectUntrustedForwarded,
      HelloScopes helloScopes,
      Duration connectTimeout,
      int maxFrameBytes,
      Duration tickInterval,
      ScopeSet sharedTokenOperatorScopes,
      String serverVersion,
      Clock clock,
      List<io.pairgate.policy.BrowserOrigin> allowedOrigins,
      Set<String> gatewayHosts,
      boolean console,
      String consoleApproveCommand) {}

  /** How many audit events the gateway keeps for {@code pairgate.audit}. */
  static final int AUDIT_KEEP = 200;
  /** How many request localities the gateway remembers (from this process's audit events). */
  private static final int LOCALITIES_KEEP = 4096;

  final PairingService pairing;
  final PairingStore store;
  final Settings settings;
  final ExecutorService work;
  private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
  /** Every open WebSocket, connected or still waiting for its connect. */
  private final Set<Session> open = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<String, Set<Session>> byDevice = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private final java.util.ArrayDeque<AuditEvent> audit = new java.util.ArrayDeque<>();
  private final java.util.LinkedHashMap<RequestId, String> localities =
      new java.util.LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<RequestId, String> eldest) {
          return size() > LOCALITIES_KEEP;
        }
      };
  private final long startedAtMs;

  /** A hub for {@code pairing} on {@code store}; blocking work runs on {@code work}. */
  public Hub(PairingService pairing, PairingStore store, Settings settings, ExecutorService work) {
    this.pairing = pairing;
    this.store = store;
    this.settings = settings;
    this.work = work;
    this.startedAtMs = settings.clock().millis();
  }

  long uptimeMs() {
    return settings.clock().millis() - startedAtMs;
  }

  long nextSeq() {
    return seq.incrementAndGet();
  }

  /** Live (post-hello) connections. */
  public int connectionCount() {
    return sessions.size();
  }

  void opened(Session s) {
    open.add(s);
  }

  /** WebSockets open (connected or awaiting their connect). */
  public int openCount() {
    return open.size();
  }

  void register(Session s) {
    sessions.add(s);
    String d = s.deviceId();
    if (d != null) {
      byDevice.computeIfAbsent(d, k -> ConcurrentHashMap.newKeySet()).add(s);
    }
  }

  void unregister(Session s) {
    sessions.remove(s);
    open.remove(s);
    String d = s.deviceId();
    if (d != null) {
      byDevice.computeIfPresent(d, (k, set) -> {
        set.remove(s);
        return set.isEmpty() ? null : set;
      });
    }
  }

  /** Sends {@code tick} to every live connection. */
  public void tick() {
    ObjectNode p = Wire.object();
    p.put("ts", settings.clock().millis());
    for (Session s : sessions) {
      s.sendEvent("tick", p);
    }
  }

  /** Closes every live connection (shutdown). */
  public void closeAll(int code, String reason) {
    for (Session s : open) {
      s.closeAfterPendingReplies(code, reason);
    }
  }

  private void toOperators(String event, ObjectNode payload) {
    for (Session s : sessions) {
      if (s.receivesPairingEvents()) {
        s.sendEvent(event, payload);
      }
    }
  }

  /**
   * Reacts to a committed change in this process (an audit event): pairing events to operators,
   * and closing the live connections of a revoked, rotated, removed or blocked device.
   */
  public void onAudit(AuditEvent e) {
    remember(e);
    // audit listeners must be fast: hand the work (a store read, socket writes) to the pool
    try {
      work.execute(() -> handleAudit(e));
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // shutting down
    }
  }

  private void remember(AuditEvent e) {
    synchronized (audit) {
      audit.addLast(e);
      while (audit.size() > AUDIT_KEEP) {
        audit.removeFirst();
      }
      if (e instanceof AuditEvent.PairingRequested r) {
        localities.put(r.requestId(), r.locality());
      } else if (e instanceof AuditEvent.UpgradeRequested r) {
        localities.put(r.requestId(), r.locality());
      }
    }
  }

  /** The last {@code limit} audit events of this process, oldest first. */
  List<AuditEvent> recentAudit(int limit) {
    synchronized (audit) {
      List<AuditEvent> all = List.copyOf(audit);
      return all.subList(Math.max(0, all.size() - limit), all.size());
    }
  }

  /** The locality core classified a request's connection as, if this process saw it. */
  @Nullable String locality(RequestId requestId) {
    synchronized (audit) {
      return localities.get(requestId);
    }
  }

  private void handleAudit(AuditEvent e) {
    ObjectNode auditPayload = Wire.audit(e);
    for (Session s : sessions) {
      if (s.followsAudit()) {
        s.sendEvent("pairgate.audit", auditPayload);
      }
    }
    try {
      if (e instanceof AuditEvent.PairingRequested r) {
        requested(r.requestId());
      } else if (e instanceof AuditEvent.UpgradeRequested r) {
        requested(r.requestId());
      } else if (e instanceof AuditEvent.RequestSuperseded r) {
        toOperators("device.pair.resolved",
            Wire.resolved(r.oldRequestId(), r.deviceId(), "rejected", r.at()));
        requested(r.newRequestId());
      } else if (e instanceof AuditEvent.RequestApproved r) {
        toOperators("device.pair.resolved",
            Wire.resolved(r.requestId(), r.deviceId(), "approved", r.at()));
      } else if (e instanceof AuditEvent.RequestRejected r) {
        toOperators("device.pair.resolved",
            Wire.resolved(r.requestId(), r.deviceId(), "rejected", r.at()));
      } else if (e instanceof AuditEvent.TokenRevoked r) {
        closeDevice(r.deviceId(), r.role(), "device token revoked");
      } else if (e instanceof AuditEvent.TokenRotated r) {
        closeDevice(r.deviceId(), r.role(), "device token rotated");
      } else if (e instanceof AuditEvent.DeviceRemoved r) {
        closeDevice(r.deviceId(), null, "device removed");
      } else if (e instanceof AuditEvent.DeviceBlocked r) {
        closeDevice(r.deviceId(), null, "device blocked");
      }
    } catch (RuntimeException ex) {
      LOG.warn("could not handle {} event for device {}: {}", e.type(), e.deviceId(),
          ex.toString());
    }
  }

  private void requested(RequestId requestId) {
    Optional<PendingRequest> p = pairing.pendingRequest(requestId);
    p.ifPresent(r -> toOperators("device.pair.requested", Wire.pending(r)));
  }

  /** Closes the device's live connections (of {@code role}, or all when null) with 4001. */
  void closeDevice(String deviceId, @Nullable Role role, String reason) {
    Set<Session> set = byDevice.get(deviceId);
    if (set == null) {
      return;
    }
    for (Session s : List.copyOf(set)) {
      if (role == null || role.equals(s.role())) {
        s.closeAfterPendingReplies(4001, reason);
      }
    }
  }

  /**
   * Re-checks the live connections of a device another process changed (store change
   * notification): closes those whose device was removed or blocked, or whose token was revoked
   * or rotated.
   */
  public void recheck(DeviceId id) {
    Set<Session> set = byDevice.get(id.value());
    if (set == null || set.isEmpty()) {
      return;
    }
    try {
      work.execute(() -> {
        try {
          DeviceRecord rec = store.load(id).orElse(null);
          for (Session s : List.copyOf(set)) {
            String why = s.invalidatedBy(rec);
            if (why != null) {
              s.closeAfterPendingReplies(4001, why);
            }
          }
        } catch (RuntimeException ex) {
          LOG.warn("could not re-check device {} after a store change: {}", id, ex.toString());
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException stopped) {
      // shutting down
    }
  }

  /** Re-checks every live device connection (notifications may have been missed). */
  public void recheckAll() {
    for (String d : List.copyOf(byDevice.keySet())) {
      recheck(new DeviceId(d));
    }
  }
}
