package dev.progcache.modproxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The hashes go writes in go.sum ({@code h1:}): SHA-256 over the sorted lines {@code <hex SHA-256
 * of a file> <file name>\n}, base64. For a module zip the files are its entries by their full
 * names; for a go.mod file the one file {@code go.mod}.
 */
final class GoSum {
  private GoSum() {}

  /** The hash of a module zip, as go checks a downloaded {@code .zip}. */
  static String zipHash(byte[] zip) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
        files.put(e.getName(), z.readAllBytes());
      }
    }
    return h1(files);
  }

  /** The hash of a module's go.mod file, as go checks a downloaded {@code .mod}. */
  static String modHash(byte[] mod) {
    return h1(Map.of("go.mod", mod));
  }

  private static String h1(Map<String, byte[]> files) {
    MessageDigest sum = SignedSumdb.sha256();
    for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
      String hex = HexFormat.of().formatHex(SignedSumdb.sha256().digest(f.getValue()));
      sum.update((hex + "  " + f.getKey() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return "h1:" + Base64.getEncoder().encodeToString(sum.digest());
  }
}
