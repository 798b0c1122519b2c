package io.pairgate.testkit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A generator of random test values with an optional shrinker, for {@link Property}. A generator
 * must be a pure function of the {@link RandomGenerator} it is given, so that the same seed always
 * produces the same value; {@link #shrink} proposes simpler variants of a value (most promising
 * first), which the runner tries when a case fails.
 *
 * <p>Combinators that cannot know how to shrink (such as {@link #map}) produce generators that do
 * not shrink; attach a shrinker with {@link #withShrinker}. The domain generators for pairing
 * (roles, scope sets, clients, keys, action sequences) are in {@link PairingGens}.
 *
 * @param <T> the generated type
 */
public interface Gen<T> {

  /** Generates one value, drawing randomness only from {@code random}. */
  T generate(RandomGenerator random);

  /**
   * Simpler variants of {@code value}, most promising first; empty when {@code value} cannot be
   * simplified. The default proposes nothing.
   */
  default Stream<T> shrink(T value) {
    return Stream.empty();
  }

  /** A generator from a generating function and a shrinker. */
  static <T> Gen<T> of(Function<RandomGenerator, T> generate, Function<T, Stream<T>> shrink) {
    Objects.requireNonNull(generate, "generate");
    Objects.requireNonNull(shrink, "shrink");
    return new Gen<>() {
      @Override
      public T generate(RandomGenerator random) {
        return generate.apply(random);
      }

      @Override
      public Stream<T> shrink(T value) {
        return shrink.apply(value);
      }
    };
  }

  /** This generator with {@code shrink} as its shrinker. */
  default Gen<T> withShrinker(Function<T, Stream<T>> shrink) {
    return of(this::generate, shrink);
  }

  /** Applies {@code f} to generated values. The result does not shrink. */
  default <R> Gen<R> map(Function<? super T, ? extends R> f) {
    Gen<T> self = this;
    return random -> f.apply(self.generate(random));
  }

  /** Always {@code value}. */
  static <T> Gen<T> constant(T value) {
    return random -> value;
  }

  /** An int in {@code [min, max]}, shrinking towards {@code min}. */
  static Gen<Integer> ints(int min, int max) {
    if (max < min) {
      throw new IllegalArgumentException("max " + max + " < min " + min);
    }
    return of(
        random -> min + random.nextInt(max - min + 1),
        v -> {
          if (v <= min) {
            return Stream.empty();
          }
          List<Integer> out = new ArrayList<>();
          out.add(min);
          int mid = min + (v - min) / 2;
          if (mid != min && mid != v) {
            out.add(mid);
          }
          if (v - 1 != min && v - 1 != mid) {
            out.add(v - 1);
          }
          return out.stream();
        });
  }

  /** A long with every value equally likely (for seeds). Does not shrink. */
  static Gen<Long> longs() {
    return RandomGenerator::nextLong;
  }

  /** One of {@code values}, uniformly; shrinks towards earlier elements. */
  @SafeVarargs
  static <T> Gen<T> elements(T... values) {
    return elements(List.of(values));
  }

  /** One of {@code values}, uniformly; shrinks towards earlier elements. */
  static <T> Gen<T> elements(List<T> values) {
    List<T> vs = List.copyOf(values);
    if (vs.isEmpty()) {
      throw new IllegalArgumentException("no values to choose from");
    }
    return of(
        random -> vs.get(random.nextInt(vs.size())),
        v -> {
          int i = vs.indexOf(v);
          return i <= 0 ? Stream.empty() : IntStream.range(0, i).mapToObj(vs::get);
        });
  }

  /**
   * A subset of {@code universe} in which each element is present with probability {@code p},
   * with between {@code minSize} and {@code maxSize} elements (inclusive), in universe order.
   * Shrinks by removing elements (never below {@code minSize}).
   */
  static <T> Gen<Set<T>> subsets(List<T> universe, double p, int minSize, int maxSize) {
    List<T> u = List.copyOf(new LinkedHashSet<>(universe));
    if (minSize < 0 || maxSize < minSize || minSize > u.size()) {
      throw new IllegalArgumentException(
          "bad subset bounds " + minSize + ".." + maxSize + " of " + u.size() + " elements");
    }
    return of(
        random -> {
          List<T> picked = new ArrayList<>();
          for (T t : u) {
            if (random.nextDouble() < p) {
              picked.add(t);
            }
          }
          while (picked.size() > maxSize) {
            picked.remove(random.nextInt(picked.size()));
          }
          List<T> rest = new ArrayList<>(u);
          rest.removeAll(picked);
          while (picked.size() < minSize) {
            picked.add(rest.remove(random.nextInt(rest.size())));
          }
          List<T> ordered = new ArrayList<>(u);
          ordered.retainAll(picked);
          return (Set<T>) new LinkedHashSet<>(ordered);
        },
        s -> s.size() <= minSize
            ? Stream.empty()
            : s.stream().map(t -> {
              LinkedHashSet<T> smaller = new LinkedHashSet<>(s);
              smaller.remove(t);
              return (Set<T>) smaller;
            }));
  }

  /**
   * A list of {@code minSize} to {@code maxSize} elements from {@code element}. Shrinks by
   * dropping halves, then quarters, …, then single elements (never below {@code minSize}), and
   * then by shrinking single elements in place.
   */
  static <T> Gen<List<T>> lists(Gen<T> element, int minSize, int maxSize) {
    if (minSize < 0 || maxSize < minSize) {
      throw new IllegalArgumentException("bad list bounds " + minSize + ".." + maxSize);
    }
    return of(
        random -> {
          int n = minSize + random.nextInt(maxSize - minSize + 1);
          List<T> out = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            out.add(element.generate(random));
          }
          return List.copyOf(out);
        },
        list -> Shrinking.list(list, minSize, element::shrink));
  }
}
