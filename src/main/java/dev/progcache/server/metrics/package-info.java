/** The server's counters and gauges, scraped at {@code /metrics} in the Prometheus text format. */
@NullMarked
package dev.progcache.server.metrics;

import org.jspecify.annotations.NullMarked;
