package io.pairgate.testkit;

import io.pairgate.ClientInfo;
import io.pairgate.DeviceKeyPair;
import io.pairgate.Role;
import io.pairgate.ScopeSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * {@link Gen generators} for pairing values: roles, scope sets drawn from a vocabulary, client
 * descriptions, device keys and whole {@link Action} sequences for model-based tests.
 */
public final class PairingGens {
  /** OpenClaw's operator scopes. */
  public static final List<String> OPERATOR_SCOPES = List.of(
      "operator.admin", "operator.read", "operator.write", "operator.approvals",
      "operator.pairing", "operator.talk");

  /** Node scopes used by the default vocabulary. */
  public static final List<String> NODE_SCOPES = List.of("node.exec", "node.camera");

  /** Clients used by the default vocabulary: the first is every device's usual client. */
  public static final List<Action.Client> CLIENTS = List.of(
      new Action.Client("cli", "cli", "linux", ""),
      new Action.Client("openclaw-macos", "ui", "macOS 14.4", "Mac"),
      new Action.Client("openclaw-macos", "ui", "macOS 15.1", "Mac"),
      new Action.Client("openclaw-ios", "ui", "iOS 18.1", "iPhone"),
      new Action.Client("control-ui", "webchat", "Windows", ""));

  private PairingGens() {}

  /** {@code operator} (mostly) or {@code node}. */
  public static Gen<Role> roles() {
    return Gen.of(r -> r.nextInt(5) == 0 ? Role.NODE : Role.OPERATOR,
        role -> role.equals(Role.OPERATOR) ? Stream.empty() : Stream.of(Role.OPERATOR));
  }

  /**
   * Scope sets drawn from {@code vocabulary}: each scope is included with probability
   * {@code 1/3}, at most {@code maxSize} scopes. Shrinks by removing single scopes.
   */
  public static Gen<ScopeSet> scopeSets(List<String> vocabulary, int maxSize) {
    ScopeSet.parse(vocabulary); // validates early
    return Gen.subsets(vocabulary, 1.0 / 3, 0, Math.min(maxSize, vocabulary.size()))
        .map(ScopeSet::parse)
        .withShrinker(s -> s.scopes().stream().map(x -> s.minus(ScopeSet.of(List.of(x)))));
  }

  /** Client descriptions from {@link #CLIENTS}, shrinking towards the first. */
  public static Gen<ClientInfo> clients() {
    return Gen.elements(CLIENTS).map(c ->
        new ClientInfo(c.id(), c.mode(), c.platform(), c.deviceFamily(), "", ""));
  }

  /** Ed25519 key pairs from random 32-byte seeds (does not shrink). */
  public static Gen<DeviceKeyPair> deviceKeys() {
    return r -> {
      byte[] seed = new byte[32];
      r.nextBytes(seed);
      return DeviceKeyPair.fromSeed(seed);
    };
  }

  /**
   * What action sequences are drawn from.
   *
   * @param devices how many devices act (indices {@code 0..devices-1})
   * @param scopesByRole each role's scope vocabulary
   * @param clients the clients devices report; index 0 is the usual one
   * @param pendingTtlMs the service's pending TTL, so that time steps cross it
   * @param minSteps the fewest actions in a sequence
   * @param maxSteps the most actions in a sequence
   */
  public record ActionSpace(
      int devices,
      Map<String, List<String>> scopesByRole,
      List<Action.Client> clients,
      long pendingTtlMs,
      int minSteps,
      int maxSteps) {

    /** Copies the collections and validates the bounds. */
    public ActionSpace {
      scopesByRole = Map.copyOf(scopesByRole);
      clients = List.copyOf(clients);
      if (devices < 1 || minSteps < 0 || maxSteps < minSteps || clients.isEmpty()
          || scopesByRole.isEmpty() || pendingTtlMs < 10) {
        throw new IllegalArgumentException("bad action space: " + devices + " devices, steps "
            + minSteps + ".." + maxSteps + ", " + clients.size() + " clients");
      }
    }

    /** Three devices, operator and node vocabularies, {@link #CLIENTS}, 5-minute TTL, 30–60 steps. */
    public static ActionSpace defaults() {
      return new ActionSpace(3, Map.of("operator", OPERATOR_SCOPES, "node", NODE_SCOPES), CLIENTS,
          300_000, 30, 60);
    }

    /** A copy with other step bounds. */
    public ActionSpace withSteps(int min, int max) {
      return new ActionSpace(devices, scopesByRole, clients, pendingTtlMs, min, max);
    }
  }

  /** Action sequences from {@link ActionSpace#defaults()}. */
  public static Gen<List<Action>> actions() {
    return actions(ActionSpace.defaults());
  }

  /**
   * Action sequences: mostly connects (random role, scope subset, usual client, shared-token auth,
   * sometimes device tokens, wrong tokens, foreign clients, inadmissible scopes or bad proofs),
   * approvals (of the latest request, of any id ever minted, or of an unknown id; by an admin or
   * a narrower approver), rejections, rotations (keeping or narrowing scopes, sometimes outside
   * the baseline), revocations, removals, blocks, unblocks, clock advances (short, past the
   * refresh interval, past the TTL) and restarts. Shrinks by dropping actions, then by removing
   * scopes and simplifying single actions.
   */
  public static Gen<List<Action>> actions(ActionSpace space) {
    Objects.requireNonNull(space, "space");
    Gen<Action> one = Gen.of(r -> action(space, r), a -> shrinkAction(space, a));
    // Shrinking may go below minSteps: a counterexample is best as short as possible.
    return Gen.lists(one, space.minSteps(), space.maxSteps())
        .withShrinker(list -> Shrinking.list(list, 1, one::shrink));
  }

  private static String role(ActionSpace s, RandomGenerator r) {
    List<String> roles = new ArrayList<>(new java.util.TreeSet<>(s.scopesByRole().keySet()));
    if (roles.contains("operator") && r.nextInt(5) != 0) {
      return "operator";
    }
    return roles.get(r.nextInt(roles.size()));
  }

  private static List<String> scopesFor(ActionSpace s, String role, RandomGenerator r) {
    List<String> vocab = s.scopesByRole().get(role);
    List<String> out = new ArrayList<>();
    for (String sc : vocab) {
      if (r.nextInt(3) == 0) {
        out.add(sc);
      }
    }
    while (out.size() > 3) {
      out.remove(r.nextInt(out.size()));
    }
    // shuffle: scopes are signed in the order sent
    for (int i = out.size() - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      String t = out.get(i);
      out.set(i, out.get(j));
      out.set(j, t);
    }
    return out;
  }

  private static Action action(ActionSpace s, RandomGenerator r) {
    int dev = r.nextInt(s.devices());
    int k = r.nextInt(100);
    if (k < 50) {
      String role = role(s, r);
      List<String> scopes = scopesFor(s, role, r);
      int odd = r.nextInt(100);
      if (odd < 2) {
        String other = role.equals("operator") ? "node.exec" : "operator.read";
        scopes.add(other); // inadmissible for the role
      } else if (odd < 3) {
        scopes.add("operator read"); // malformed
      }
      Action.Client client = r.nextInt(100) < 85 ? s.clients().get(0)
          : s.clients().get(r.nextInt(s.clients().size()));
      int a = r.nextInt(100);
      Action.Auth auth = a < 70 ? Action.Auth.SHARED_TOKEN : a < 75 ? Action.Auth.NONE
          : a < 80 ? Action.Auth.PASSWORD : a < 96 ? Action.Auth.DEVICE_TOKEN
          : Action.Auth.BAD_DEVICE_TOKEN;
      int p = r.nextInt(100);
      Action.Proof proof = p < 96 ? Action.Proof.VALID : p < 98 ? Action.Proof.BAD_SIGNATURE
          : Action.Proof.STALE;
      return new Action.Connect(dev, role, scopes, client, auth, proof);
    } else if (k < 66) {
      int q = r.nextInt(100);
      int pick = q < 60 ? Action.LATEST : q < 92 ? r.nextInt(64) : Action.UNKNOWN;
      return new Action.Approve(pick, approver(r));
    } else if (k < 69) {
      int q = r.nextInt(100);
      return new Action.Reject(q < 50 ? Action.LATEST : q < 95 ? r.nextInt(64) : Action.UNKNOWN);
    } else if (k < 76) {
      String role = role(s, r);
      Optional<List<String>> scopes = Optional.empty();
      if (r.nextInt(100) < 65) {
        List<String> sc = scopesFor(s, role, r);
        if (r.nextInt(30) == 0) {
          sc.add(role.equals("operator") ? "node.exec" : "operator.read");
        }
        scopes = Optional.of(sc);
      }
      return new Action.Rotate(dev, role, scopes);
    } else if (k < 79) {
      return new Action.Revoke(dev, role(s, r));
    } else if (k < 81) {
      return new Action.Remove(dev);
    } else if (k < 83) {
      return new Action.Block(dev);
    } else if (k < 85) {
      return new Action.Unblock(dev);
    } else if (k < 97) {
      long ttl = s.pendingTtlMs();
      int q = r.nextInt(100);
      long ms = q < 55 ? 1 + r.nextInt(20_000)
          : q < 85 ? ttl / 10 + 1 + r.nextInt(5_000)
          : ttl + 1 + r.nextInt(60_000);
      return new Action.Advance(ms);
    } else {
      return new Action.Restart();
    }
  }

  private static List<String> approver(RandomGenerator r) {
    int q = r.nextInt(100);
    if (q < 75) {
      return List.of("operator.admin");
    } else if (q < 83) {
      return List.of("operator.pairing");
    } else if (q < 91) {
      return List.of("operator.pairing", "operator.read");
    } else {
      return List.of("operator.approvals", "operator.pairing", "operator.write");
    }
  }

  private static Stream<Action> shrinkAction(ActionSpace s, Action a) {
    List<Action> out = new ArrayList<>();
    if (a instanceof Action.Connect c) {
      for (int i = 0; i < c.scopes().size(); i++) {
        List<String> fewer = new ArrayList<>(c.scopes());
        fewer.remove(i);
        out.add(new Action.Connect(c.device(), c.role(), fewer, c.client(), c.auth(), c.proof()));
      }
      if (!c.client().equals(s.clients().get(0))) {
        out.add(new Action.Connect(c.device(), c.role(), c.scopes(), s.clients().get(0), c.auth(),
            c.proof()));
      }
      if (c.auth() != Action.Auth.SHARED_TOKEN) {
        out.add(new Action.Connect(c.device(), c.role(), c.scopes(), c.client(),
            Action.Auth.SHARED_TOKEN, c.proof()));
      }
      if (c.device() != 0) {
        out.add(new Action.Connect(0, c.role(), c.scopes(), c.client(), c.auth(), c.proof()));
      }
    } else if (a instanceof Action.Approve ap) {
      if (!ap.approverScopes().equals(List.of("operator.admin"))) {
        out.add(new Action.Approve(ap.pick(), List.of("operator.admin")));
      }
      if (ap.pick() != Action.LATEST) {
        out.add(new Action.Approve(Action.LATEST, ap.approverScopes()));
      }
    } else if (a instanceof Action.Rotate rt && rt.scopes().isPresent()) {
      List<String> sc = rt.scopes().get();
      for (int i = 0; i < sc.size(); i++) {
        List<String> fewer = new ArrayList<>(sc);
        fewer.remove(i);
        out.add(new Action.Rotate(rt.device(), rt.role(), Optional.of(fewer)));
      }
    } else if (a instanceof Action.Advance adv && adv.ms() > 1) {
      out.add(new Action.Advance(adv.ms() / 2));
    }
    return out.stream();
  }

  /** Renders an action list one numbered action per line, as failure reports show it. */
  public static String describe(List<Action> actions) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < actions.size(); i++) {
      if (i > 0) {
        b.append('\n');
      }
      b.append(i + 1).append(". ").append(actions.get(i));
    }
    return b.toString();
  }
}
