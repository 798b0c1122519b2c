package io.pairgate.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Shrink candidates for lists: drop chunks (halves first, down to single elements), then shrink elements. */
final class Shrinking {
  private Shrinking() {}

  static <T> Stream<List<T>> list(List<T> list, int minSize, Function<T, Stream<T>> element) {
    int n = list.size();
    List<Integer> chunks = new ArrayList<>();
    for (int c = n / 2; c >= 1; c /= 2) {
      chunks.add(c);
    }
    if (n == 1) {
      chunks.add(1);
    }
    Stream<List<T>> removals = chunks.stream()
        .filter(c -> n - c >= minSize)
        .flatMap(c -> IntStream.iterate(0, start -> start + c <= n, start -> start + c)
            .mapToObj(start -> {
              List<T> out = new ArrayList<>(n - c);
              out.addAll(list.subList(0, start));
              out.addAll(list.subList(start + c, n));
              return List.copyOf(out);
            }));
    Stream<List<T>> inPlace = IntStream.range(0, n).boxed()
        .flatMap(i -> element.apply(list.get(i)).map(e -> {
          List<T> out = new ArrayList<>(list);
          out.set(i, e);
          return List.copyOf(out);
        }));
    return Stream.concat(removals, inPlace);
  }
}
