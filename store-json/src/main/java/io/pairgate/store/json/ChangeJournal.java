package io.pairgate.store.json;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The change journal ({@code changes.journal}): how one process learns which devices another
 * process changed, without scanning. It is a memory-mapped ring of the last {@link #slots()}
 * changed device ids plus two counters, shared through the page cache by every process that has
 * the store open, so a reader notices a change with one memory read.
 *
 * <p>Layout (little-endian): {@code [0] magic, [8] slot count, [16] committed sequence, [24]
 * in-flight sequence}, then at {@code 64 + 40*i} slot {@code i}: {@code [0] sequence, [8..40) raw
 * device id}. Change {@code s} lives in slot {@code (s - 1) % slots}.
 *
 * <p>Writers hold the store lock. {@link #begin} publishes the device id and in-flight sequence
 * {@code s} <em>before</em> the file is replaced; {@link #end} publishes {@code committed = s}
 * after. A reader that sees {@code inFlight > committed} does not trust its cache for the in-flight
 * device. A writer killed between the two leaves {@code inFlight > committed}; the next writer
 * repairs it ({@code committed = inFlight}) before its own change, so readers then re-read that
 * device.
 *
 * <p>The journal is derived data: it is never fsynced and is not needed after all processes exit.
 * Each process reads every device file when it opens the store.
 */
final class ChangeJournal {
  static final long MAGIC = 0x3130_4c4e_5252_4750L; // "PGRRNL01" little-endian
  static final int DEFAULT_SLOTS = 16_384;
  private static final int HEADER = 64;
  private static final int SLOT = 40;
  private static final int OFF_SLOTS = 8;
  private static final int OFF_COMMITTED = 16;
  private static final int OFF_INFLIGHT = 24;
  private static final VarHandle LONG =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final MappedByteBuffer map;
  private final int slots;

  private ChangeJournal(MappedByteBuffer map, int slots) {
    this.map = map;
    this.slots = slots;
  }

  /**
   * Maps the journal for a writer, creating or re-initializing it when it is missing or not a
   * journal. The caller must hold the store lock.
   */
  static ChangeJournal openForWriting(Path file, int slotsIfNew) throws IOException {
    return java.util.Objects.requireNonNull(open(file, true, slotsIfNew));
  }

  /**
   * Maps an existing journal read-only (for read-only stores, which never announce changes).
   *
   * @return {@code null} if the file is missing or not a journal
   */
  static @Nullable ChangeJournal openForReading(Path file) throws IOException {
    if (java.nio.file.Files.isSymbolicLink(file)) {
      throw Fs.symlink(file);
    }
    return java.nio.file.Files.isRegularFile(file) ? open(file, false, 0) : null;
  }

  private static @Nullable ChangeJournal open(Path file, boolean write, int slotsIfNew)
      throws IOException {
    // never through a symbolic link: the journal is truncated and re-initialized when it is not
    // a journal, which must not happen to a file elsewhere
    try (FileChannel ch = write
        ? Fs.openNoFollow(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE)
        : Fs.openNoFollow(file, StandardOpenOption.READ)) {
      FileChannel.MapMode mode =
          write ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY;
      boolean mayInitialize = write;
      if (write && Fs.posix()) {
        java.nio.file.Files.getFileAttributeView(file,
                java.nio.file.attribute.PosixFileAttributeView.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS)
            .setPermissions(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
      long size = ch.size();
      int slots = -1;
      if (size >= HEADER) {
        MappedByteBuffer head = ch.map(mode, 0, HEADER);
        long magic = (long) LONG.getVolatile(head, 0);
        long n = (long) LONG.getVolatile(head, OFF_SLOTS);
        if (magic == MAGIC && n > 0 && n <= 1 << 24 && size >= HEADER + n * SLOT) {
          slots = (int) n;
        }
      }
      if (slots < 0) {
        if (!mayInitialize) {
          return null;
        }
        slots = slotsIfNew;
        ch.truncate(0);
        MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, HEADER + (long) slots * SLOT);
        LONG.setVolatile(m, OFF_SLOTS, (long) slots);
        LONG.setVolatile(m, OFF_COMMITTED, 0L);
        LONG.setVolatile(m, OFF_INFLIGHT, 0L);
        LONG.setVolatile(m, 0, MAGIC);
        return new ChangeJournal(m, slots);
      }
      return new ChangeJournal(ch.map(mode, 0, HEADER + (long) slots * SLOT), slots);
    }
  }

  int slots() {
    return slots;
  }

  /** The sequence number of the last completed change. */
  long committed() {
    return (long) LONG.getAcquire(map, OFF_COMMITTED);
  }

  /** The sequence number of the last started change ({@code > committed()} while one runs). */
  long inFlight() {
    return (long) LONG.getAcquire(map, OFF_INFLIGHT);
  }

  /**
   * Announces a change to {@code deviceId} (caller holds the store lock) and returns its sequence
   * number; repairs the counters first if the previous writer died mid-change.
   */
  long begin(String deviceId) {
    long c = committed();
    long f = inFlight();
    if (f > c) {
      LONG.setRelease(map, OFF_COMMITTED, f);
      c = f;
    }
    long s = c + 1;
    int off = slotOffset(s);
    LONG.setRelease(map, off, 0L); // seqlock: readers of the slot's previous change see it change
    VarHandle.storeStoreFence();
    map.put(off + 8, HexFormat.of().parseHex(deviceId));
    LONG.setRelease(map, off, s);
    LONG.setRelease(map, OFF_INFLIGHT, s);
    return s;
  }

  /** Marks change {@code s} complete (caller holds the store lock). */
  void end(long s) {
    LONG.setRelease(map, OFF_COMMITTED, s);
  }

  /** Repairs counters left by a writer that died mid-change (caller holds the store lock). */
  void repair() {
    long c = committed();
    long f = inFlight();
    if (f > c) {
      LONG.setRelease(map, OFF_COMMITTED, f);
    }
  }

  /**
   * The device id of change {@code s}, or {@code null} if its slot was already reused by a later
   * change (the reader fell more than {@link #slots()} changes behind).
   */
  @Nullable String deviceAt(long s) {
    int off = slotOffset(s);
    long a = (long) LONG.getAcquire(map, off);
    if (a != s) {
      return null;
    }
    byte[] id = new byte[32];
    map.get(off + 8, id);
    VarHandle.loadLoadFence();
    long b = (long) LONG.getAcquire(map, off);
    return b == s ? HexFormat.of().formatHex(id) : null;
  }

  private int slotOffset(long s) {
    return HEADER + (int) ((s - 1) % slots) * SLOT;
  }
}
