package io.pairgate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;

/**
 * An immutable set of scopes, kept sorted and deduplicated so that equal sets are equal values
 * and print the same. Set algebra here is plain membership; implication between scopes is the
 * {@link ScopePolicy}'s business.
 *
 * @param scopes the scopes, sorted ascending and without duplicates
 */
public record ScopeSet(List<Scope> scopes) implements Iterable<Scope> {
  private static final ScopeSet EMPTY = new ScopeSet(List.of());

  /** Sorts and deduplicates {@code scopes}. */
  public ScopeSet {
    scopes = normalize(scopes);
  }

  private static List<Scope> normalize(List<Scope> in) {
    if (in.isEmpty()) {
      return List.of();
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
    return List.of(a);
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
    return scopes.isEmpty() ? EMPTY : new ScopeSet(new ArrayList<>(scopes));
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
    return new ScopeSet(list);
  }

  /** Whether {@code scope} is a member (plain membership, no implication). */
  public boolean contains(Scope scope) {
    return Collections.binarySearch(scopes, scope) >= 0;
  }

  /** Whether a scope with this name is a member. */
  public boolean contains(String scope) {
    int lo = 0;
    int hi = scopes.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = scopes.get(mid).value().compareTo(scope);
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
    for (Scope s : other.scopes) {
      if (!contains(s)) {
        return false;
      }
    }
    return true;
  }

  /** This set plus every member of {@code other}. */
  public ScopeSet union(ScopeSet other) {
    if (other.scopes.isEmpty() || containsAll(other)) {
      return this;
    }
    if (scopes.isEmpty()) {
      return other;
    }
    List<Scope> all = new ArrayList<>(scopes.size() + other.scopes.size());
    all.addAll(scopes);
    all.addAll(other.scopes);
    return new ScopeSet(all);
  }

  /** The members of this set that are not members of {@code other}. */
  public ScopeSet minus(ScopeSet other) {
    return filter(s -> !other.contains(s));
  }

  /** The members for which {@code keep} holds. */
  public ScopeSet filter(Predicate<Scope> keep) {
    List<Scope> out = new ArrayList<>(scopes.size());
    for (Scope s : scopes) {
      if (keep.test(s)) {
        out.add(s);
      }
    }
    return out.size() == scopes.size() ? this : new ScopeSet(out);
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
