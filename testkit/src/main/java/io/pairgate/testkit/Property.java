package io.pairgate.testkit;

import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * A minimal, deterministic property runner on plain JUnit Jupiter ({@link DynamicTest}s from a
 * {@code @TestFactory}); it depends on no property-testing framework and only on stable
 * {@code org.junit.jupiter.api} types, so it runs unchanged on Jupiter 5 and 6.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> tokensNeverExceedTheBaseline() {
 *   return Property.forAll("tokens never exceed the baseline", PairingGens.actions(), actions -> {
 *     ... throw an AssertionError when the property does not hold ...
 *   }).cases(500).dynamicTests();
 * }
 * }</pre>
 *
 * <p><b>Seeds.</b> Every case is generated from one {@code long} case seed, derived from a base seed
 * and the case number. The base seed is fixed per property name (so builds are reproducible) unless
 * {@code -Dpairgate.baseSeed=…} sets another. {@code -Dpairgate.seed=…} (decimal or {@code 0x} hex)
 * runs exactly one case with that case seed: paste the seed from a failure report to replay it.
 * {@code -Dpairgate.cases=…} overrides the number of cases of every property.
 *
 * <p><b>Failures.</b> A failing case is shrunk with the generator's {@link Gen#shrink shrinker}
 * (keeping a candidate whenever it still fails, until no candidate fails or the shrink budget is
 * spent), and reported as an {@link AssertionError} whose message holds the property name, the case
 * seed, the shrunk counterexample, the original failure of the shrunk case and a replay hint. The
 * runner prints nothing; on success it is silent.
 *
 * @param <T> the generated type
 */
public final class Property<T> {
  /** System property: the case seed to replay (decimal or {@code 0x…} hex). */
  public static final String SEED_PROPERTY = "pairgate.seed";
  /** System property: the number of cases per property. */
  public static final String CASES_PROPERTY = "pairgate.cases";
  /** System property: the base seed case seeds are derived from. */
  public static final String BASE_SEED_PROPERTY = "pairgate.baseSeed";

  private final String name;
  private final Gen<T> gen;
  private final Consumer<? super T> check;
  private int cases = 100;
  private int maxShrinks = 2_000;
  private Function<? super T, String> describe = String::valueOf;

  private Property(String name, Gen<T> gen, Consumer<? super T> check) {
    this.name = Objects.requireNonNull(name, "name");
    this.gen = Objects.requireNonNull(gen, "gen");
    this.check = Objects.requireNonNull(check, "check");
  }

  /**
   * A property that holds when {@code check} returns normally for every generated value; it fails
   * when {@code check} throws (an assertion error or any other exception).
   */
  public static <T> Property<T> forAll(String name, Gen<T> gen, Consumer<? super T> check) {
    return new Property<>(name, gen, check);
  }

  /** Number of cases (default 100); {@code -Dpairgate.cases} overrides it. */
  public Property<T> cases(int cases) {
    if (cases < 1) {
      throw new IllegalArgumentException("cases must be >= 1, was " + cases);
    }
    this.cases = cases;
    return this;
  }

  /** At most this many shrink candidates are tried after a failure (default 2000). */
  public Property<T> maxShrinks(int maxShrinks) {
    if (maxShrinks < 0) {
      throw new IllegalArgumentException("maxShrinks must be >= 0, was " + maxShrinks);
    }
    this.maxShrinks = maxShrinks;
    return this;
  }

  /** How a counterexample is shown in failure reports (default {@link String#valueOf}). */
  public Property<T> describe(Function<? super T, String> describe) {
    this.describe = Objects.requireNonNull(describe, "describe");
    return this;
  }

  /** The property's name. */
  public String name() {
    return name;
  }

  /** The number of cases a run will execute, after system property overrides. */
  public int effectiveCases() {
    if (System.getProperty(SEED_PROPERTY) != null) {
      return 1;
    }
    String c = System.getProperty(CASES_PROPERTY);
    return c == null || c.isBlank() ? cases : Integer.parseInt(c.strip());
  }

  /** The seed of case {@code index} (0-based) under the current base seed. */
  public long caseSeed(int index) {
    String replay = System.getProperty(SEED_PROPERTY);
    if (replay != null && !replay.isBlank()) {
      return parseSeed(replay);
    }
    String base = System.getProperty(BASE_SEED_PROPERTY);
    long b = base == null || base.isBlank() ? mix(0x5eedL ^ name.hashCode()) : parseSeed(base);
    return mix(b + 0x9E3779B97F4A7C15L * (index + 1));
  }

  /** Generates the value of a case seed, exactly as a run does. */
  public T generate(long caseSeed) {
    return gen.generate(new SplittableRandom(caseSeed));
  }

  /**
   * Runs every case and returns the first failure, shrunk, or empty when the property held.
   * Nothing is printed.
   */
  public Optional<Failure<T>> run() {
    int n = effectiveCases();
    for (int i = 0; i < n; i++) {
      long seed = caseSeed(i);
      T value = generate(seed);
      Throwable error = failureOf(value);
      if (error != null) {
        return Optional.of(shrink(i, n, seed, value, error));
      }
    }
    return Optional.empty();
  }

  /** Runs the property and throws an {@link AssertionError} with the failure report if it fails. */
  public void check() {
    Optional<Failure<T>> f = run();
    if (f.isPresent()) {
      throw new AssertionError(f.get().report(), f.get().error());
    }
  }

  /** The property as one dynamic test, for a {@code @TestFactory}. */
  public DynamicTest dynamicTest() {
    return DynamicTest.dynamicTest(name + " [" + effectiveCases() + " cases]", this::check);
  }

  /** The property as a one-element stream, for returning from a {@code @TestFactory}. */
  public Stream<DynamicTest> dynamicTests() {
    return Stream.of(dynamicTest());
  }

  private Throwable failureOf(T value) {
    try {
      check.accept(value);
      return null;
    } catch (Throwable e) {
      if (e instanceof VirtualMachineError vm) {
        throw vm;
      }
      return e;
    }
  }

  private Failure<T> shrink(int index, int of, long seed, T original, Throwable originalError) {
    T current = original;
    Throwable error = originalError;
    int tried = 0;
    int accepted = 0;
    boolean progress = true;
    while (progress && tried < maxShrinks) {
      progress = false;
      Iterator<T> candidates = gen.shrink(current).iterator();
      while (candidates.hasNext() && tried < maxShrinks) {
        T c = candidates.next();
        tried++;
        Throwable e = failureOf(c);
        if (e != null) {
          current = c;
          error = e;
          accepted++;
          progress = true;
          break;
        }
      }
    }
    return new Failure<>(name, seed, index, of, original, current, accepted, tried, error,
        describe);
  }

  /** Parses a seed in decimal or {@code 0x} hex (two's complement 64 bits). */
  public static long parseSeed(String s) {
    String t = s.strip().toLowerCase(Locale.ROOT);
    boolean neg = t.startsWith("-");
    if (neg) {
      t = t.substring(1);
    }
    long v = t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
    return neg ? -v : v;
  }

  /** Formats a seed as {@code 0x} followed by 16 hex digits. */
  public static String formatSeed(long seed) {
    return String.format(Locale.ROOT, "0x%016x", seed);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * A failed case: its seed, the generated value, the shrunk value, and the shrunk value's error.
   *
   * @param property the property name
   * @param seed the case seed; {@code -Dpairgate.seed=}{@link Property#formatSeed formatSeed(seed)}
   *     replays it
   * @param caseIndex the 0-based case number
   * @param cases the number of cases the run would have executed
   * @param original the generated counterexample
   * @param shrunk the simplest counterexample found
   * @param shrinkSteps how many shrink candidates were accepted
   * @param shrinkAttempts how many shrink candidates were tried
   * @param error the failure of {@code shrunk}
   * @param describe how values are shown
   * @param <T> the generated type
   */
  public record Failure<T>(
      String property,
      long seed,
      int caseIndex,
      int cases,
      T original,
      T shrunk,
      int shrinkSteps,
      int shrinkAttempts,
      Throwable error,
      Function<? super T, String> describe) {

    /** The human-readable report: seed, shrunk counterexample, cause and replay hint. */
    public String report() {
      String s = formatSeed(seed);
      StringBuilder b = new StringBuilder();
      b.append("Property \"").append(property).append("\" failed on case ").append(caseIndex + 1)
          .append(" of ").append(cases).append('\n');
      b.append("  seed: ").append(s).append('\n');
      b.append("  shrunk counterexample (").append(shrinkSteps).append(" shrink steps, ")
          .append(shrinkAttempts).append(" candidates tried):\n");
      indent(b, describe.apply(shrunk));
      b.append("  failure: ").append(error.getClass().getSimpleName()).append(": ")
          .append(error.getMessage()).append('\n');
      if (shrinkSteps > 0) {
        b.append("  original counterexample:\n");
        indent(b, describe.apply(original));
      }
      b.append("  replay: run the test with -D").append(SEED_PROPERTY).append('=').append(s)
          .append(" (e.g. ./mvnw -B verify -D").append(SEED_PROPERTY).append('=').append(s)
          .append(" -Dtest=<TestClass>)");
      return b.toString();
    }

    private static void indent(StringBuilder b, String text) {
      for (String line : text.split("\n", -1)) {
        b.append("    ").append(line).append('\n');
      }
    }
  }
}
