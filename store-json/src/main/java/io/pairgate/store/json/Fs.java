package io.pairgate.store.json;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Durable file operations: a write is a temp file in the target's directory, {@code force(true)},
 * {@code ATOMIC_MOVE} over the target (never a non-atomic fallback), then a directory fsync. Files
 * get mode 0600 and directories 0700 where the file system is POSIX.
 */
final class Fs {
  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private Fs() {}

  static boolean posix() {
    return POSIX;
  }

  private static FileAttribute<?>[] fileAttrs() {
    return POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
        : new FileAttribute<?>[0];
  }

  /**
   * Creates {@code dir} (mode 0700) and any missing parents, fsyncing each parent whose entry
   * list changed.
   */
  static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.getParent();
    if (parent != null) {
      createDirectories(parent);
    }
    try {
      if (POSIX) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        Files.setPosixFilePermissions(dir, DIR_MODE); // in case the umask removed bits
      } else {
        Files.createDirectory(dir);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) {
        throw e;
      }
      return;
    }
    if (parent != null) {
      fsyncDirectory(parent);
    }
  }

  /**
   * Creates an empty file with mode 0600 if it does not exist.
   *
   * @throws StoreInsecureException if a symbolic link is in its place
   */
  static void createFileIfMissing(Path file) throws IOException {
    try {
      Files.createFile(file, fileAttrs());
      fsyncDirectory(file.getParent());
    } catch (FileAlreadyExistsException e) {
      if (Files.isSymbolicLink(file)) {
        throw symlink(file);
      }
    }
  }

  /**
   * Reads a whole file without following a symbolic link; {@code null} if it does not exist.
   *
   * @throws StoreInsecureException if {@code file} is a symbolic link (nothing is read)
   */
  static byte @Nullable [] readIfExists(Path file) throws IOException {
    try (FileChannel ch = openNoFollow(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException(file + " is too large (" + size + " bytes)");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // keep reading
      }
      if (buf.hasRemaining()) {
        byte[] out = new byte[buf.position()];
        buf.flip();
        buf.get(out);
        return out;
      }
      return buf.array();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Opens {@code file} with {@link LinkOption#NOFOLLOW_LINKS}: a symbolic link in its place is
   * refused with {@link StoreInsecureException} instead of being followed to whatever it names.
   */
  static FileChannel openNoFollow(Path file, OpenOption... options) throws IOException {
    Set<OpenOption> opts = new HashSet<>(Arrays.asList(options));
    opts.add(LinkOption.NOFOLLOW_LINKS);
    try {
      return FileChannel.open(file, opts);
    } catch (IOException e) { // Linux reports ELOOP as a plain IOException
      if (!(e instanceof NoSuchFileException) && Files.isSymbolicLink(file)) {
        throw symlink(file);
      }
      throw e;
    }
  }

  static StoreInsecureException symlink(Path file) {
    return new StoreInsecureException(file, StoreInsecureException.Reason.SYMLINK,
        "it is a symbolic link; the store never follows links to its own files (remove it)");
  }

  /**
   * Refuses a store directory another user could write: one owned by another user, or writable
   * by its group or others ({@code root} may be a symbolic link to the real directory; the
   * directories inside it may not). Does nothing on non-POSIX file systems.
   *
   * @throws StoreInsecureException naming the directory and what is wrong
   */
  static void checkPrivateDirectory(Path dir, boolean mayBeLink) throws IOException {
    if (!POSIX) {
      return;
    }
    LinkOption[] opts = mayBeLink ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    if (!mayBeLink && Files.isSymbolicLink(dir)) {
      throw symlink(dir);
    }
    PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, opts);
    Integer owner = unixUid(dir, opts);
    Long me = currentUid();
    if (owner != null && me != null && owner.longValue() != me) {
      throw new StoreInsecureException(dir, StoreInsecureException.Reason.FOREIGN_OWNER,
          "the store directory is owned by another user (uid " + owner + ", " + a.owner().getName()
              + "), not by this process (uid " + me + "); chown it to the gateway's user");
    }
    Set<PosixFilePermission> p = a.permissions();
    if (p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new StoreInsecureException(dir, StoreInsecureException.Reason.WRITABLE_BY_OTHERS,
          "the store directory is writable by " + (p.contains(PosixFilePermission.OTHERS_WRITE)
              ? "others" : "its group") + " (" + PosixFilePermissions.toString(p)
              + "), so another user could plant or replace device files; chmod 700 it");
    }
  }

  private static @Nullable Integer unixUid(Path p, LinkOption... opts) {
    try {
      return (Integer) Files.getAttribute(p, "unix:uid", opts);
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return null;
    }
  }

  /** This process's user id, if the platform tells. */
  static @Nullable Long currentUid() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid();
    } catch (LinkageError | RuntimeException e) {
      return null;
    }
  }

  /** A fresh temp-file name next to {@code target}: {@code .<name>.<random>.tmp}. */
  static Path tempFor(Path target) {
    String rnd = Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    return target.resolveSibling("." + target.getFileName() + "." + rnd + ".tmp");
  }

  /**
   * Replaces {@code target} with {@code data} atomically and durably. When this returns, the new
   * content survives a crash or power loss; if it throws, the target holds either the old or the
   * new content (never a mix) and the caller must treat the outcome as unknown.
   */
  static void writeDurably(Path target, byte[] data) throws IOException {
    Path dir = target.getParent();
    Path tmp = tempFor(target);
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), fileAttrs())) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system of " + dir + " cannot rename atomically; "
            + "the JSON store needs a local POSIX-like file system", e);
      }
      moved = true;
      fsyncDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Deletes {@code file} durably; returns whether it existed. */
  static boolean deleteDurably(Path file) throws IOException {
    boolean existed = Files.deleteIfExists(file);
    if (existed) {
      fsyncDirectory(file.getParent());
    }
    return existed;
  }

  /** Moves {@code from} to {@code to} atomically and durably (both directories fsynced). */
  static void moveDurably(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("cannot move " + from + " to " + to + " atomically", e);
    }
    fsyncDirectory(to.getParent());
    if (!from.getParent().equals(to.getParent())) {
      fsyncDirectory(from.getParent());
    }
  }

  /**
   * Makes a directory's entries (creations, renames, deletions) durable. On POSIX file systems a
   * failure is an error; elsewhere (Windows cannot open directories) it is skipped.
   */
  static void fsyncDirectory(Path dir) throws IOException {
    if (!POSIX) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
