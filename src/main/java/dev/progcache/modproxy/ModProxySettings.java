package dev.progcache.modproxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Settings of {@code progcache serve --modproxy}.
 *
 * @param upstreams the upstream proxies as a GOPROXY-style list (comma: fall through on 404/410;
 *     pipe: on any failure), or null for the default: an edge server's central server, else the
 *     proxies {@code go env GOPROXY} names on the server's machine
 * @param maxModuleSize the largest file fetched (a zip, above all)
 * @param listTtl how long a version list or {@code @latest} is served before it is asked again
 * @param netrc basic credentials for upstream hosts, or null
 * @param headerFile headers sent to every upstream ({@code Name: value} lines), or null
 * @param stall a fetch that receives nothing for this long fails (a hung upstream)
 * @param ratePerToken requests each token may send per second ({@code --modproxy-rate}); 0: no
 *     bound
 */
public record ModProxySettings(
    @Nullable String upstreams,
    long maxModuleSize,
    Duration listTtl,
    @Nullable Path netrc,
    @Nullable Path headerFile,
    Duration stall,
    int ratePerToken) {
  /** The default size limit: go itself refuses module zips over 500 MiB. */
  public static final long DEFAULT_MAX_MODULE_SIZE = 500L << 20;

  public static final Duration DEFAULT_LIST_TTL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_STALL = Duration.ofSeconds(30);

  /** The value of {@code --modproxy} that means "the default upstream". */
  public static final String DEFAULT = "default";

  /**
   * Settings from the flags' values.
   *
   * @param value {@code --modproxy}'s value: a GOPROXY-style list, or "" / {@code default}
   * @throws IllegalArgumentException naming the entry that is not a proxy URL
   */
  public static ModProxySettings of(
      String value,
      long maxModuleSize,
      Duration listTtl,
      @Nullable Path netrc,
      @Nullable Path headerFile) {
    String v = value.strip();
    boolean dflt = v.isEmpty() || v.toLowerCase(Locale.ROOT).equals(DEFAULT);
    if (!dflt && Upstreams.parse(v, "--modproxy").isEmpty()) {
      throw new IllegalArgumentException(
          "--modproxy "
              + v
              + " names no proxy URL (direct and off are not proxies); give"
              + " http(s)://host/path, or --modproxy alone for the default");
    }
    return new ModProxySettings(
        dflt ? null : v, maxModuleSize, listTtl, netrc, headerFile, DEFAULT_STALL, 0);
  }

  /** These settings with {@code s} as the stall time. */
  public ModProxySettings withStall(Duration s) {
    return new ModProxySettings(
        upstreams, maxModuleSize, listTtl, netrc, headerFile, s, ratePerToken);
  }

  /** These settings with at most {@code perSecond} requests per token and second (0: no bound). */
  public ModProxySettings withRate(int perSecond) {
    return new ModProxySettings(
        upstreams, maxModuleSize, listTtl, netrc, headerFile, stall, perSecond);
  }

  /** The upstream list as given, for the start-up line ("default" when none was). */
  public String describe() {
    return upstreams == null
        ? DEFAULT
        : List.copyOf(Upstreams.parse(upstreams, "--modproxy")).toString();
  }
}
