package io.pairgate.internal;

import io.pairgate.DeviceToken;
import io.pairgate.PairedDevice;
import io.pairgate.PendingRequest;
import io.pairgate.Role;
import io.pairgate.Scope;
import io.pairgate.ScopePolicy;
import io.pairgate.ScopeSet;
import io.pairgate.UpgradeReason;
import io.pairgate.policy.ApprovalVerdict;
import io.pairgate.policy.Locality;
import io.pairgate.policy.SilentApproval;
import io.pairgate.policy.StandingApproval;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Owns the recognisers of automatic approval (R11, R13): pairing switched off, silent local
 * approval, standing approvals, the revoked-token guard and neverSilent. Pure: it says whether one
 * applies and notes why each was or was not; the connect decision folds the answer in.
 */
final class AutoApprovals {
  private final EngineSettings settings;
  private final ScopePolicy policy;

  AutoApprovals(EngineSettings settings) {
    this.settings = settings;
    this.policy = settings.policy();
  }

  /** An automatic approval that applies: how it is recorded and which rule decided. */
  record AutoGrant(String via, String approver, String rule) {}

  /** One recogniser considered: its rule, whether it applied, and why, as a line. */
  record AutoNote(String rule, boolean applies, String line) {}

  /** The approval that applies, if any, and every recogniser considered, in order. */
  record AutoAssessment(@Nullable AutoGrant grant, List<AutoNote> notes) {}

  AutoAssessment assess(@Nullable PairedDevice paired, boolean keyMatches, PendingRequest q,
      UpgradeReason reason, AttemptFacts facts) {
    List<AutoNote> notes = new ArrayList<>(2);
    if (keyMatches && paired != null) {
      for (Role r : q.roles()) {
        DeviceToken tk = paired.token(r);
        if (paired.roles().contains(r) && tk != null && tk.isRevoked()) {
          notes.add(new AutoNote("R11.4", false, "no automatic approval: the " + r + " token was"
              + " revoked by an operator, and only an operator's approval restores it"));
          return new AutoAssessment(null, notes);
        }
      }
    }
    if (!settings.pairingRequired()) {
      notes.add(new AutoNote("R13", true,
          "approved automatically: pairing is switched off (pairingRequired=false)"));
      return new AutoAssessment(new AutoGrant("pairing-disabled", "pairing-disabled", "R13"),
          notes);
    }
    Set<UpgradeReason> aspects = aspects(paired, keyMatches, q, reason);
    ApprovalVerdict silent = silentVerdict(aspects, facts);
    if (silent.applies()) {
      List<Scope> forbidden = neverSilentGrants(paired, keyMatches, q);
      if (!forbidden.isEmpty()) {
        silent = ApprovalVerdict.no("approving it would grant " + ScopeSet.of(forbidden)
            + ", which neverSilent keeps for an operator");
      }
    }
    if (silent.applies()) {
      notes.add(new AutoNote("R11.2", true, "silent local approval applies: " + silent.reason()));
      return new AutoAssessment(new AutoGrant("silent", "silent", "R11.2"), notes);
    }
    notes.add(new AutoNote(
        "R11.2", false, "silent local approval does not apply: " + silent.reason()));
    for (StandingApproval s : settings.standingApprovals()) {
      ApprovalVerdict v = s.check(facts.address(), facts.auth(), facts.kind(),
          facts.browserOrigin(), aspects, q.roles(), q.scopes(), policy);
      if (v.applies()) {
        notes.add(new AutoNote("R11.3", true, "applies: " + v.reason()));
        return new AutoAssessment(
            new AutoGrant("standing", "standing:" + s.name(), "R11.3"), notes);
      }
      notes.add(new AutoNote("R11.3", false, "does not apply: " + v.reason()));
    }
    if (settings.standingApprovals().isEmpty()) {
      notes.add(new AutoNote("R11.3", false, "no standing approvals are configured"));
    }
    return new AutoAssessment(null, notes);
  }

  /**
   * What approving {@code q} would change for the device (R11.1): {@code not-paired}, or the
   * upgrades among role, scope and metadata.
   */
  private Set<UpgradeReason> aspects(
      @Nullable PairedDevice paired, boolean keyMatches, PendingRequest q, UpgradeReason reason) {
    if (!keyMatches || paired == null) {
      return EnumSet.of(UpgradeReason.NOT_PAIRED);
    }
    EnumSet<UpgradeReason> s = EnumSet.noneOf(UpgradeReason.class);
    if (MetadataPins.compare(paired.client(), paired.legacyMetadata(), q.client())
        == MetadataPins.Verdict.MISMATCH) {
      s.add(UpgradeReason.METADATA_UPGRADE);
    }
    List<Role> effective = paired.effectiveRoles();
    for (Role r : q.roles()) {
      if (!effective.contains(r)) {
        s.add(UpgradeReason.ROLE_UPGRADE);
      }
      if (!policy.allows(r, policy.admissibleFor(r, q.scopes()), paired.approvedScopes())) {
        s.add(UpgradeReason.SCOPE_UPGRADE);
      }
    }
    if (s.isEmpty()) {
      s.add(reason);
    }
    return s;
  }

  /**
   * The scopes of {@code neverSilent} that approving {@code q} would newly grant: implied by
   * {@code q}'s scopes for one of its roles and not already held (the role effective and the
   * scope implied by the baseline).
   */
  private List<Scope> neverSilentGrants(
      @Nullable PairedDevice paired, boolean keyMatches, PendingRequest q) {
    List<Scope> out = new ArrayList<>();
    for (Scope n : settings.neverSilent()) {
      for (Role r : q.roles()) {
        if (!policy.admissible(r, n)
            || !policy.implies(r, n, policy.admissibleFor(r, q.scopes()))) {
          continue;
        }
        boolean held = keyMatches && paired != null && paired.effectiveRoles().contains(r)
            && policy.implies(r, n, paired.approvedScopes());
        if (!held && !out.contains(n)) {
          out.add(n);
        }
      }
    }
    return out;
  }

  private ApprovalVerdict silentVerdict(Set<UpgradeReason> aspects, AttemptFacts facts) {
    Locality locality = facts.locality().locality();
    boolean sameHost = locality == Locality.PROXIED_LOCAL && facts.sameHostProxy();
    ApprovalVerdict last = ApprovalVerdict.no("nothing to approve");
    for (UpgradeReason r : aspects) {
      ApprovalVerdict v = SilentApproval.decide(
          locality, facts.auth(), r, facts.browserOrigin(), sameHost, settings.autoApproveLocal());
      if (!v.applies()) {
        return aspects.size() > 1 ? ApprovalVerdict.no(r.wireName() + ": " + v.reason()) : v;
      }
      last = v;
    }
    return last;
  }
}
