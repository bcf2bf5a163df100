package dev.progcache.cache;

import java.nio.file.Path;

/** A cache hit: the entry plus the absolute path of a file holding exactly its output bytes. */
public record Hit(Entry entry, Path diskPath) {}
