package io.pairgate.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Owner-only files written crash-safely: a temporary file in the same directory (mode 0600 on
 * POSIX), forced to disk, then moved into place atomically; directories created with mode 0700.
 */
final class PrivateFiles {
  static final int MAX_SIZE = 1 << 20;

  private PrivateFiles() {}

  private static boolean posix(Path dir) {
    return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** Creates {@code dir} and missing parents; directories it creates get mode 0700 on POSIX. */
  static void createPrivateDirectories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      return;
    }
    Path parent = abs.getParent();
    if (parent != null) {
      createPrivateDirectories(parent);
    }
    try {
      if (posix(abs)) {
        Files.createDirectory(abs, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(abs);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(abs)) {
        throw e;
      }
    }
  }

  /**
   * Refuses a file that is not the process user's private file: a symbolic link, a file owned by
   * another user, or one with any group or other permission bit. On file systems without POSIX
   * attributes nothing is checked.
   *
   * @throws IdentityFileException ({@link IdentityFileException.Problem#INSECURE}) naming why
   * @throws java.nio.file.NoSuchFileException if there is no file
   */
  static void checkPrivate(Path file) throws IOException {
    if (Files.isSymbolicLink(file)) {
      throw new IdentityFileException(file, IdentityFileException.Problem.INSECURE,
          "it is a symbolic link; point to the key file itself");
    }
    if (!posix(file.toAbsolutePath())) {
      return;
    }
    java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(file,
        java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    Long me = currentUid();
    Object owner;
    try {
      owner = Files.getAttribute(file, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      owner = null;
    }
    if (me != null && owner instanceof Integer uid && uid.longValue() != me) {
      throw new IdentityFileException(file, IdentityFileException.Problem.INSECURE,
          "owned by another user (uid " + uid + ", " + a.owner().getName() + "), not by this"
              + " process (uid " + me + ")");
    }
    Set<PosixFilePermission> others = java.util.EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    others.retainAll(a.permissions());
    if (!others.isEmpty()) {
      throw new IdentityFileException(file, IdentityFileException.Problem.INSECURE,
          "mode " + PosixFilePermissions.toString(a.permissions()) + " lets its group or others"
              + " read or write the private key; chmod 600 it (and consider the key exposed)");
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

  /** Reads the file as UTF-8 (never through a symbolic link), refusing files larger than {@link #MAX_SIZE}. */
  static String read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
        java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      long size = ch.size();
      if (size > MAX_SIZE) {
        throw new IOException("file is larger than " + MAX_SIZE + " bytes");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // keep reading
      }
      buf.flip();
      return StandardCharsets.UTF_8.newDecoder().decode(buf).toString();
    }
  }

  /** Writes {@code content} to a new 0600 temporary file next to {@code target}, forced to disk. */
  static Path writeTemp(Path target, String content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    createPrivateDirectories(dir);
    FileAttribute<?>[] attrs = posix(dir)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_RW)}
        : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attrs);
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");

  /** Atomically replaces (or creates) {@code target} with {@code content}. */
  static void writeReplacing(Path target, String content) throws IOException {
    Path tmp = writeTemp(target, content);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Atomically creates {@code target} with {@code content} unless it exists. Returns true if this
   * call created it, false if the file already existed (then it is left as it was). The file
   * appears complete or not at all: a hard link to a fully written temporary file, which fails if
   * the name is taken; on file systems without hard links, an exclusive lock on a side file
   * serializes creators.
   */
  static boolean createExclusively(Path target, String content) throws IOException {
    Path tmp = writeTemp(target, content);
    try {
      try {
        Files.createLink(target, tmp);
        syncDirectory(target.toAbsolutePath().getParent());
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | FileSystemException e) {
        if (Files.exists(target)) {
          return false;
        }
        return createUnderLock(target, tmp);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean createUnderLock(Path target, Path tmp) throws IOException {
    Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
    synchronized (PrivateFiles.class) {
      try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE,
              StandardOpenOption.WRITE)) {
        FileLock lock = ch.lock();
        try {
          if (Files.exists(target)) {
            return false;
          }
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
          syncDirectory(target.toAbsolutePath().getParent());
          return true;
        } finally {
          lock.release();
        }
      }
    }
  }

  /** Forces a directory's entries to disk where the platform allows it (best effort). */
  static void syncDirectory(@Nullable Path dir) {
    if (dir == null) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException e) {
      // Not supported on every platform (Windows); the rename itself was atomic.
    }
  }
}
