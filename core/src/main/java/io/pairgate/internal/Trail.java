package io.pairgate.internal;

import io.pairgate.Explanation;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Collects the rule trail of a dry run ({@code explain}). The shared {@link #OFF} instance is used
 * by real connects: it records nothing, and {@link #on} tells callers to skip building details.
 * A trail that is on also means "dry run": mint no ids or secrets, write and touch nothing.
 */
final class Trail {
  static final Trail OFF = new Trail(false);

  final boolean on;
  final List<Explanation.Check> checks = new ArrayList<>();
  final List<String> auto = new ArrayList<>();
  String rule = "";
  String via = "";
  String requestId = "";
  @Nullable UpgradeReason reason;
  List<Role> approvedRoles = List.of();
  @Nullable ScopeSet approvedScopes;
  List<Scope> missing = List.of();

  private Trail(boolean on) {
    this.on = on;
  }

  static Trail dryRun() {
    return new Trail(true);
  }

  void add(String rule, String name, Explanation.Status status, String detail) {
    if (on) {
      checks.add(new Explanation.Check(rule, name, status, detail));
    }
  }

  void decide(String rule) {
    if (on) {
      this.rule = rule;
    }
  }

  void auto(String rule, boolean applies, String line) {
    if (on) {
      auto.add(line);
      checks.add(new Explanation.Check(rule, "automatic approval",
          applies ? Explanation.Status.PASS : Explanation.Status.INFO, line));
    }
  }
}
