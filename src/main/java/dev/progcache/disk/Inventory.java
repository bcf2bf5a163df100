package dev.progcache.disk;

import dev.progcache.cache.Entry;
import dev.progcache.cache.Key;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A snapshot of the files of a cache directory: bodies, records and temp files. Files that vanish
 * while the directory is read are left out. Immutable once built.
 *
 * @param bodies files under {@code o/} named by a hex output id
 * @param records files under {@code a/} named by a hex action id, decoded when they parse
 * @param packed records in pack files under {@code p/}
 * @param temps {@code .tmp-*} files under {@code a/}, {@code o/}, {@code p/} and the root
 * @param links symbolic links found where shard directories, records or bodies belong; nothing is
 *     read through them
 */
public record Inventory(
    List<Body> bodies,
    List<RecordFile> records,
    List<PackedRecord> packed,
    List<FileInfo> temps,
    List<Path> links) {
  /** A file with its size and modification time (Unix nanoseconds). */
  public record FileInfo(Path path, long size, long mtimeNanos) {}

  /** A body: its output id, size and last use time (mtime). */
  public record Body(Key output, FileInfo file) {}

  /** A record file: its action id and its entry, empty when the record does not parse. */
  public record RecordFile(Key action, Optional<Entry> entry, FileInfo file) {}

  /** A record in a pack file (see {@link Packs}); only records that parse are listed. */
  public record PackedRecord(Key action, Entry entry, Path pack) {}

  /** Reads the directory of {@code store}. */
  public static Inventory of(DiskStore store) throws IOException {
    List<Body> bodies = new ArrayList<>();
    List<RecordFile> records = new ArrayList<>();
    List<FileInfo> temps = new ArrayList<>();
    List<Path> links = new ArrayList<>();
    for (FileInfo f : files(store.root().resolve("o"), links)) {
      Optional<Key> k = key(f.path());
      if (k.isPresent()) {
        bodies.add(new Body(k.get(), f));
      } else if (isTemp(f.path())) {
        temps.add(f);
      }
    }
    for (FileInfo f : files(store.root().resolve("a"), links)) {
      Optional<Key> k = key(f.path());
      if (k.isPresent()) {
        Optional<Entry> e = read(f.path()).flatMap(b -> Record.decode(k.get(), b));
        records.add(new RecordFile(k.get(), e, f));
      } else if (isTemp(f.path())) {
        temps.add(f);
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(store.root(), ".tmp-*")) {
      for (Path p : ds) {
        info(p).ifPresent(temps::add); // trim.txt and sessions.log rewrites
      }
    }
    Path packs = store.root().resolve(Packs.DIR);
    if (Files.isDirectory(packs, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(packs, ".tmp-*")) {
        for (Path p : ds) {
          info(p).ifPresent(temps::add); // packs being written, or left by a crash
        }
      }
    }
    return new Inventory(
        List.copyOf(bodies),
        List.copyOf(records),
        List.copyOf(Packs.readAll(store.root())),
        List.copyOf(temps),
        List.copyOf(links));
  }

  /** Total size of the bodies. */
  public long bodyBytes() {
    long n = 0;
    for (Body b : bodies) {
      n += b.file().size();
    }
    return n;
  }

  /** Output ids named by records that parse, packed ones included. */
  Set<Key> referenced() {
    Set<Key> s = new HashSet<>();
    for (RecordFile r : records) {
      r.entry().ifPresent(e -> s.add(e.outputId()));
    }
    for (PackedRecord r : packed) {
      s.add(r.entry().outputId());
    }
    return s;
  }

  /** Bodies by output id. */
  Map<Key, Body> bodiesById() {
    Map<Key, Body> m = new HashMap<>();
    for (Body b : bodies) {
      m.put(b.output(), b);
    }
    return m;
  }

  static boolean isTemp(Path p) {
    return p.getFileName().toString().startsWith(".tmp-");
  }

  private static Optional<Key> key(Path p) {
    String name = p.getFileName().toString();
    if (name.length() != 64 || !name.startsWith(p.getParent().getFileName().toString())) {
      return Optional.empty();
    }
    try {
      return Optional.of(Key.ofHex(name));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Optional<byte[]> read(Path p) {
    try {
      try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(in.readAllBytes());
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Regular files two levels down ({@code top/xx/name}), never through a link: links in place of
   * shard directories or files go to {@code links}.
   */
  private static List<FileInfo> files(Path top, List<Path> links) throws IOException {
    List<FileInfo> out = new ArrayList<>();
    List<Path> shards = new ArrayList<>();
    if (Files.isSymbolicLink(top)) {
      links.add(top);
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(top)) {
      for (Path d : ds) {
        if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
          shards.add(d);
        } else if (Files.isSymbolicLink(d)) {
          links.add(d);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    }
    for (Path d : shards) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
        for (Path f : ds) {
          Optional<FileInfo> i = info(f);
          if (i.isPresent()) {
            out.add(i.get());
          } else if (Files.isSymbolicLink(f)) {
            links.add(f);
          }
        }
      } catch (NoSuchFileException e) {
        // removed meanwhile
      }
    }
    return out;
  }

  /** The size and mtime of {@code p}, empty when it is gone or not a regular file (or a link). */
  static Optional<FileInfo> info(Path p) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isRegularFile()) {
        return Optional.empty();
      }
      return Optional.of(new FileInfo(p, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
