package dev.progcache.disk;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Words for file-system failures, for messages a user reads: "permission denied", "not a
 * directory", never a Java exception class name. Stateless.
 */
public final class IoText {
  private IoText() {}

  /** {@code what}: the reason, e.g. {@code /x/y: permission denied}. */
  public static String describe(IOException e, Path what) {
    return what + ": " + reason(e);
  }

  /** The reason alone, e.g. {@code permission denied (/x/y)} for a file deeper than expected. */
  public static String reason(IOException e) {
    String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : "";
    String why =
        switch (e) {
          case AccessDeniedException a -> "permission denied";
          case NoSuchFileException n -> "no such file or directory";
          case NotDirectoryException n -> "not a directory";
          case FileAlreadyExistsException x -> "exists and is not a directory";
          case FileSystemException f when f.getReason() != null ->
              f.getReason().toLowerCase(java.util.Locale.ROOT);
          default -> e.getMessage() == null ? "input/output error" : e.getMessage();
        };
    return file.isEmpty() ? why : why + " (" + file + ")";
  }
}
