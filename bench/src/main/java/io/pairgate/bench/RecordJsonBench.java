package io.pairgate.bench;

import io.pairgate.internal.json.JsonReader;
import io.pairgate.internal.json.RecordJson;
import io.pairgate.spi.DeviceRecord;
import io.pairgate.testkit.SampleRecords;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The decision of issue 16 item 3, one codec for {@code DeviceRecord}: core's own reader against
 * Jackson on the same document, the shared record document of a full sample record (paired with
 * two tokens, a pending request, four remembered ids; ≈2.4 KB).
 *
 * <ul>
 *   <li>{@link #readerParse}: core's {@code JsonReader}, bytes to a tree of maps and lists.
 *   <li>{@link #jacksonReadTree}: Jackson 3 {@code readTree}, bytes to a {@code JsonNode} tree,
 *       configured as store-json configures it (strict duplicate detection, big decimals, trailing
 *       tokens refused).
 *   <li>{@link #jacksonTokenStream}: Jackson's streaming parser over every token, building nothing
 *       (a lower bound for any Jackson-based decoder).
 *   <li>{@link #recordDecode}: what a store does on a read, {@code RecordJson.decode}: parse plus
 *       schema checks plus the model's validation (key parsing, scope interning, …).
 *   <li>{@link #recordEncode}: what a store does on a write.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(1)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 6, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RecordJsonBench {
  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private DeviceRecord record;
  private byte[] document;

  /** Encodes the sample record once. */
  @Setup(Level.Trial)
  public void setUp() {
    record = SampleRecords.full(SampleRecords.keyPair("bench-record-json"), 42, "bench", false);
    document = RecordJson.encodeBytes(record);
    if (!RecordJson.decode(document).equals(record)) {
      throw new IllegalStateException("the sample does not round-trip");
    }
  }

  /** core's reader: bytes to a tree. */
  @Benchmark
  public Object readerParse() {
    return JsonReader.parse(document);
  }

  /** Jackson: bytes to a {@code JsonNode} tree. */
  @Benchmark
  public Object jacksonReadTree() {
    return MAPPER.readTree(document);
  }

  /** Jackson's streaming parser over every token (strings materialized), building nothing. */
  @Benchmark
  public void jacksonTokenStream(Blackhole bh) {
    try (JsonParser p = MAPPER.createParser(document)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.PROPERTY_NAME) {
          bh.consume(p.getString());
        }
      }
    }
  }

  /** A store's read: parse, schema and model validation. */
  @Benchmark
  public DeviceRecord recordDecode() {
    return RecordJson.decode(document);
  }

  /** A store's write. */
  @Benchmark
  public byte[] recordEncode() {
    return RecordJson.encodeBytes(record);
  }

  /**
   * The same comparison interleaved in one JVM, robust to a machine whose load changes between JMH
   * runs: after a warm-up, {@code rounds} rounds of ABBA blocks (A = core's reader, B = Jackson's
   * {@code readTree}, {@code blockMs} each); prints each variant's median time per parse and the
   * median and quartiles of the per-round ratio B / A (above 1: core's reader is faster).
   * Arguments: {@code [rounds] [blockMs]} (default 30, 200).
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    long blockNs = (args.length > 1 ? Long.parseLong(args[1]) : 200) * 1_000_000L;
    RecordJsonBench b = new RecordJsonBench();
    b.setUp();
    java.util.List<java.util.function.Supplier<Object>> variants = java.util.List.of(
        b::readerParse, b::jacksonReadTree, b::recordDecode, b::recordEncode);
    String[] names = {"readerParse", "jacksonReadTree", "recordDecode", "recordEncode"};
    for (int w = 0; w < 10; w++) {
      for (java.util.function.Supplier<Object> v : variants) {
        block(v, blockNs);
      }
    }
    double[][] t = new double[names.length][rounds];
    double[] ratio = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      double a1 = block(variants.get(0), blockNs);
      double b1 = block(variants.get(1), blockNs);
      double b2 = block(variants.get(1), blockNs);
      double a2 = block(variants.get(0), blockNs);
      t[0][r] = (a1 + a2) / 2;
      t[1][r] = (b1 + b2) / 2;
      ratio[r] = (b1 + b2) / (a1 + a2);
      t[2][r] = block(variants.get(2), blockNs);
      t[3][r] = block(variants.get(3), blockNs);
    }
    System.out.printf("document: %d bytes; %d rounds of %d ms blocks%n", b.document.length, rounds,
        blockNs / 1_000_000);
    for (int i = 0; i < names.length; i++) {
      System.out.printf("%-16s median %8.0f ns/op (quartiles %.0f .. %.0f)%n", names[i],
          quantile(t[i], 0.5), quantile(t[i], 0.25), quantile(t[i], 0.75));
    }
    System.out.printf("jacksonReadTree / readerParse: median %.2f (quartiles %.2f .. %.2f)%n",
        quantile(ratio, 0.5), quantile(ratio, 0.25), quantile(ratio, 0.75));
  }

  private static volatile Object sink;

  /** Runs {@code f} for about {@code ns}; returns nanoseconds per call. */
  private static double block(java.util.function.Supplier<Object> f, long ns) {
    long start = System.nanoTime();
    long n = 0;
    long now;
    do {
      for (int i = 0; i < 64; i++) {
        sink = f.get();
      }
      n += 64;
      now = System.nanoTime();
    } while (now - start < ns);
    return (double) (now - start) / n;
  }

  private static double quantile(double[] xs, double q) {
    double[] s = xs.clone();
    java.util.Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  }
}
