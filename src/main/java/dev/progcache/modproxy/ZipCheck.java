package dev.progcache.modproxy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The structural check of a module zip before it is stored: it opens as a zip (so its central
 * directory is complete: a truncated download fails here), and every entry is a file or directory
 * under {@code <module>@<version>/} with no {@code ..} element and no backslash. Contents are not
 * checked: go verifies them against go.sum and the checksum database.
 *
 * <p>Stateless.
 */
final class ZipCheck {
  private ZipCheck() {}

  /**
   * Why {@code zip} is not a well-formed zip of {@code path@version}, or empty when it is.
   *
   * @throws IOException when the file cannot be read at all
   */
  static Optional<String> problem(Path zip, String path, String version) throws IOException {
    String prefix = path + "@" + version + "/";
    try (ZipFile z = new ZipFile(zip.toFile())) {
      Enumeration<? extends ZipEntry> entries = z.entries();
      int n = 0;
      while (entries.hasMoreElements()) {
        String name = entries.nextElement().getName();
        n++;
        if (!name.startsWith(prefix)
            || name.contains("\\")
            || ("/" + name + "/").contains("/../")
            || ("/" + name + "/").contains("/./")) {
          return Optional.of("entry \"" + printable(name) + "\" is not under " + prefix);
        }
      }
      return n == 0 ? Optional.of("the zip has no entries") : Optional.empty();
    } catch (ZipException e) {
      return Optional.of("not a complete zip file (" + e.getMessage() + ")");
    }
  }

  private static String printable(String name) {
    String s = name.length() > 200 ? name.substring(0, 200) + "..." : name;
    return s.replaceAll("\\p{Cntrl}", "?");
  }
}
