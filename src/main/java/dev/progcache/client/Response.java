package dev.progcache.client;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One answer from the helper as decoded; absent fields have their zero value, as in go.
 *
 * @param outputId raw bytes of any length (empty when absent); validation is the caller's
 */
record Response(
    long id,
    String err,
    List<String> knownCommands,
    boolean miss,
    byte[] outputId,
    long size,
    Optional<Instant> time,
    String diskPath) {}
