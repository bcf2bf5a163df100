package dev.progcache.server.metrics;

import dev.progcache.server.status.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the server process and its JVM use, under the names operators' dashboards expect: {@code
 * progcache_build_info{version,java}} (always 1), {@code process_resident_memory_bytes}, {@code
 * process_open_fds} and {@code process_max_fds}, {@code process_cpu_usage}, {@code
 * process_uptime_seconds}, {@code jvm_memory_used_bytes{area,id}}, {@code jvm_gc_pause_seconds},
 * {@code jvm_threads_live_threads} and their kin.
 *
 * <p>Registered once per server; the gauges are read at each scrape. Thread-safe.
 */
final class ProcessMetrics {
  private static final Path STATM = Path.of("/proc/self/statm");

  /** The page size {@code /proc/self/statm} counts in; 4 KiB on the platforms served. */
  private static final long PAGE = 4096;

  private final JvmGcMetrics gc = new JvmGcMetrics();

  ProcessMetrics(MeterRegistry registry) {
    Gauge.builder("progcache.build.info", () -> 1)
        .description("The server's version and the Java runtime it runs on; always 1")
        .tag("version", Status.version())
        .tag("java", Runtime.version().toString())
        .register(registry);
    Gauge.builder("process.resident.memory", ProcessMetrics::residentBytes)
        .description("Resident set size of the server process (VmRSS)")
        .baseUnit("bytes")
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** The resident set size in bytes, or NaN where {@code /proc} is not there. */
  static double residentBytes() {
    try {
      String[] f = Files.readString(STATM).trim().split(" ");
      return Long.parseLong(f[1]) * PAGE;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** Stops listening for garbage collections. */
  void close() {
    gc.close();
  }
}
