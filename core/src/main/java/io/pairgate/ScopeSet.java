package io.pairgate;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Predicate;

/**
 * An immutable set of scopes, kept sorted and deduplicated so that equal sets are equal values
 * and print the same. Set algebra here is plain membership; implication between scopes is the
 * {@link ScopePolicy}'s business.
 *
 * <p>The well-known scopes (the {@code operator.*} constants of {@link Scope}) are also kept as
 * bits of a mask, so membership and subset tests on them are a mask operation; any other scope
 * falls back to a search of the sorted list. A set of only well-known scopes is one shared
 * instance per distinct set.
 *
 * @param scopes the scopes, sorted ascending and without duplicates
 */
public record ScopeSet(List<Scope> scopes) implements Iterable<Scope> {
  /** The sorted members of every set of well-known scopes, indexed by mask. */
  private static final Members[] KNOWN_MEMBERS = new Members[(int) Scope.ALL_KNOWN + 1];
  /** The shared set for every set of well-known scopes, indexed by mask. */
  private static final ScopeSet[] KNOWN_SETS = new ScopeSet[KNOWN_MEMBERS.length];

  static {
    Scope[] sorted = {
      Scope.OPERATOR_ADMIN, Scope.OPERATOR_READ, Scope.OPERATOR_WRITE, Scope.OPERATOR_APPROVALS,
      Scope.OPERATOR_PAIRING, Scope.OPERATOR_TALK
    };
    Arrays.sort(sorted);
    for (int m = 0; m < KNOWN_MEMBERS.length; m++) {
      List<Scope> members = new ArrayList<>();
      for (Scope s : sorted) {
        if ((m & s.knownBit()) != 0) {
          members.add(s);
        }
      }
      KNOWN_MEMBERS[m] = new Members(members.toArray(new Scope[0]), m, false);
    }
    for (int m = 0; m < KNOWN_SETS.length; m++) {
      KNOWN_SETS[m] = new ScopeSet(KNOWN_MEMBERS[m]);
    }
  }

  private static final ScopeSet EMPTY = KNOWN_SETS[0];

  /** Sorts and deduplicates {@code scopes}. */
  public ScopeSet {
    scopes = normalize(scopes);
  }

  /**
   * The sorted, deduplicated, immutable members: a list that also carries the mask of its
   * well-known members and whether it has any other member.
   */
  private static final class Members extends AbstractList<Scope> implements RandomAccess {
    private final Scope[] a;
    private final long mask;
    private final boolean custom;

    Members(Scope[] a, long mask, boolean custom) {
      this.a = a;
      this.mask = mask;
      this.custom = custom;
    }

    @Override
    public Scope get(int index) {
      return a[index];
    }

    @Override
    public int size() {
      return a.length;
    }

    @Override
    public boolean equals(Object o) {
      if (o instanceof Members m && !custom && !m.custom) {
        return mask == m.mask;
      }
      return super.equals(o);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  private static Members normalize(List<Scope> in) {
    if (in instanceof Members m) {
      return m;
    }
    long mask = 0;
    boolean custom = false;
    for (Scope s : in) {
      long bit = Objects.requireNonNull(s, "scope").knownBit();
      mask |= bit;
      custom |= bit == 0;
    }
    if (!custom) {
      return KNOWN_MEMBERS[(int) mask];
    }
    Scope[] a = in.toArray(new Scope[0]);
    boolean sortedUnique = true;
    for (int i = 1; i < a.length; i++) {
      if (a[i - 1].compareTo(a[i]) >= 0) {
        sortedUnique = false;
        break;
      }
    }
    if (!sortedUnique) {
      Arrays.sort(a);
      int w = 1;
      for (int i = 1; i < a.length; i++) {
        if (!a[i].equals(a[w - 1])) {
          a[w++] = a[i];
        }
      }
      a = Arrays.copyOf(a, w);
    }
    // a well-known scope built with the constructor instead of Scope.of: keep the constant
    for (int i = 0; i < a.length; i++) {
      long bit = a[i].knownBit();
      if (bit != 0) {
        a[i] = KNOWN_MEMBERS[(int) bit].a[0];
      }
    }
    return new Members(a, mask, true);
  }

  private Members members() {
    return (Members) scopes;
  }

  /** The shared instance for a set of only well-known scopes, else a new set. */
  private static ScopeSet make(List<Scope> scopes) {
    Members m = normalize(scopes);
    return m.custom ? new ScopeSet(m) : KNOWN_SETS[(int) m.mask];
  }

  /** The empty set. */
  public static ScopeSet empty() {
    return EMPTY;
  }

  /**
   * The set of these scope names.
   *
   * @throws PairgateException with {@link ErrorCode#INVALID_SCOPE} for a malformed name
   */
  public static ScopeSet of(String... scopes) {
    return parse(Arrays.asList(scopes));
  }

  /** The set of these scopes. */
  public static ScopeSet of(Collection<Scope> scopes) {
    return scopes.isEmpty() ? EMPTY : make(new ArrayList<>(scopes));
  }

  /**
   * The set of these scope names.
   *
   * @throws PairgateException with {@link ErrorCode#INVALID_SCOPE} for a malformed name
   */
  public static ScopeSet parse(Collection<String> names) {
    if (names.isEmpty()) {
      return EMPTY;
    }
    List<Scope> list = new ArrayList<>(names.size());
    for (String n : names) {
      list.add(Scope.of(n));
    }
    return make(list);
  }

  /** Whether {@code scope} is a member (plain membership, no implication). */
  public boolean contains(Scope scope) {
    Members m = members();
    long bit = scope.knownBit();
    if (bit != 0) {
      return (m.mask & bit) != 0;
    }
    return m.custom && search(m.a, scope.value());
  }

  /** Whether a scope with this name is a member. */
  public boolean contains(String scope) {
    Members m = members();
    if (!m.custom) {
      long bit = Scope.knownBit(scope);
      return bit != 0 && (m.mask & bit) != 0;
    }
    return search(m.a, scope);
  }

  private static boolean search(Scope[] a, String scope) {
    int lo = 0;
    int hi = a.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = a[mid].value().compareTo(scope);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** Whether every member of {@code other} is a member of this set (no implication). */
  public boolean containsAll(ScopeSet other) {
    Members mine = members();
    Members theirs = other.members();
    if ((theirs.mask & ~mine.mask) != 0) {
      return false;
    }
    if (!theirs.custom) {
      return true;
    }
    if (!mine.custom) {
      return false; // theirs has a scope outside the well-known ones, mine has none
    }
    for (Scope s : theirs.a) {
      if (s.knownBit() == 0 && !search(mine.a, s.value())) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether every member {@linkplain Scope#belongsTo belongs to} {@code role} (true for the empty
   * set). Well-known scopes answer from the mask: they all belong to {@link Role#OPERATOR} only.
   */
  public boolean allBelongTo(Role role) {
    Members m = members();
    boolean operator = role.equals(Role.OPERATOR);
    if (!operator && m.mask != 0) {
      return false;
    }
    if (!m.custom) {
      return true;
    }
    for (Scope s : m.a) {
      if (!s.belongsTo(role)) {
        return false;
      }
    }
    return true;
  }

  /** This set plus every member of {@code other}. */
  public ScopeSet union(ScopeSet other) {
    Members mine = members();
    Members theirs = other.members();
    if (!mine.custom && !theirs.custom) {
      return KNOWN_SETS[(int) (mine.mask | theirs.mask)];
    }
    if (theirs.a.length == 0 || containsAll(other)) {
      return this;
    }
    if (mine.a.length == 0) {
      return other;
    }
    List<Scope> all = new ArrayList<>(mine.a.length + theirs.a.length);
    all.addAll(mine);
    all.addAll(theirs);
    return make(all);
  }

  /** The members of this set that are not members of {@code other}. */
  public ScopeSet minus(ScopeSet other) {
    Members mine = members();
    Members theirs = other.members();
    if (!mine.custom && !theirs.custom) {
      return KNOWN_SETS[(int) (mine.mask & ~theirs.mask)];
    }
    return filter(s -> !other.contains(s));
  }

  /** The members for which {@code keep} holds. */
  public ScopeSet filter(Predicate<Scope> keep) {
    Scope[] a = members().a;
    List<Scope> out = new ArrayList<>(a.length);
    for (Scope s : a) {
      if (keep.test(s)) {
        out.add(s);
      }
    }
    return out.size() == a.length ? this : make(out);
  }

  /** Whether the set has no members. */
  public boolean isEmpty() {
    return scopes.isEmpty();
  }

  /** The number of members. */
  public int size() {
    return scopes.size();
  }

  /** The scope names, sorted. */
  public List<String> names() {
    List<String> out = new ArrayList<>(scopes.size());
    for (Scope s : scopes) {
      out.add(s.value());
    }
    return out;
  }

  @Override
  public Iterator<Scope> iterator() {
    return scopes.iterator();
  }

  /** The names joined with commas, e.g. {@code operator.read,operator.write}. */
  @Override
  public String toString() {
    return String.join(",", names());
  }
}
