package dev.progcache.cli;

import dev.progcache.disk.AtomicFiles;
import dev.progcache.modproxy.ModulePath;
import dev.progcache.remote.http.Endpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * {@code progcache mod prefetch}: every module file a project's {@code go.sum} names, fetched from
 * a module proxy many at once into a directory in GOPROXY layout, for go to read through {@code
 * GOPROXY=file://DIR,URL}.
 *
 * <p>go fetches modules {@code GOMAXPROCS} at a time, so on a small CI runner far from its proxy
 * the download step is mostly waiting (50 modules 20 ms away: 2.8 s). Fetching them all at once
 * first leaves go only local files to copy. Nothing is trusted more than before: go verifies every
 * file it takes from {@code DIR} against {@code go.sum}, as it does for the proxy's; a file the
 * proxy lacks is simply not there, and go asks the next entry of GOPROXY for it.
 */
public final class ModPrefetch {
  static final String USAGE =
      """
      usage: progcache mod prefetch [--proxy URL] [--go-sum FILE] [--dir DIR] [--jobs N]
      Fetches the .mod of every module version go.sum names, and the .zip and .info of those
      it holds a zip hash for, from the module proxy at URL (progcache serve's /mod/, or any
      GOPROXY), N at once, into DIR in GOPROXY layout; then prints on stdout the GOPROXY that
      puts DIR first (file://DIR,URL). go verifies every file against go.sum, as from the proxy.
        export GOPROXY=$(progcache mod prefetch --proxy https://cache.example/mod)
        go mod download && go build ./...
      Flags:
        --proxy URL    the proxy (default: the first http(s) entry of $GOPROXY)
        --go-sum FILE  default ./go.sum
        --dir DIR      default $RUNNER_TEMP/progcache-mod, else $TMPDIR/progcache-mod-$USER
        --jobs N       requests at once (default 32, at most 256)
      A token for the proxy: PROGCACHE_TOKEN, or the file PROGCACHE_TOKEN_FILE names (sent as a
      bearer token). A file refused with 429 (the server's --modproxy-rate) is asked for again
      after the Retry-After it names.
      Exit status: 0 when every file was fetched or the proxy lacked it (go then asks the next
      GOPROXY entry); 1 when requests failed or go.sum cannot be read; 2 for bad usage.
      """;

  static final int DEFAULT_JOBS = 32;
  static final int MAX_JOBS = 256;

  /** go's module path characters (module.CheckPath, less strict in the middle: go checks). */
  private static final Pattern PATH =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~+-]*(/[A-Za-z0-9._~+-]+)*");

  private static final Pattern VERSION = Pattern.compile("v[A-Za-z0-9.+-]+");

  private ModPrefetch() {}

  /** One file to fetch: its path under the proxy and under DIR (the same, case-encoded). */
  record File(String rel) {}

  public static int run(
      List<String> args, Map<String, String> env, PrintStream out, PrintStream err)
      throws ConfigException {
    if (args.isEmpty() || !args.getFirst().equals("prefetch")) {
      throw new ConfigException(
          args.isEmpty()
              ? "mod: say what to do (prefetch)"
              : "mod: unknown subcommand \"" + args.getFirst() + "\"");
    }
    String proxy = null;
    Path goSum = Path.of("go.sum");
    Path dir = null;
    int jobs = DEFAULT_JOBS;
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (!List.of("--proxy", "--go-sum", "--dir", "--jobs").contains(name)) {
        throw new ConfigException("mod prefetch: unknown flag " + name);
      }
      String v;
      if (a.contains("=")) {
        v = a.substring(a.indexOf('=') + 1);
      } else if (i + 1 < args.size()) {
        v = args.get(++i);
      } else {
        throw new ConfigException("mod prefetch: " + name + " needs a value");
      }
      switch (name) {
        case "--proxy" -> proxy = v;
        case "--go-sum" -> goSum = Path.of(v);
        case "--dir" -> dir = Path.of(v);
        default -> jobs = jobs(v);
      }
    }
    if (proxy == null) {
      proxy = firstHttpProxy(env.getOrDefault("GOPROXY", ""));
      if (proxy == null) {
        throw new ConfigException(
            "mod prefetch: no --proxy, and $GOPROXY has no http(s) entry to fetch from");
      }
    }
    URI base = proxyUri(proxy);
    if (dir == null) {
      dir = defaultDir(env);
    }
    dir = dir.toAbsolutePath().normalize(); // what every written path is checked to be under
    List<String> lines;
    try {
      lines = Files.readAllLines(goSum);
    } catch (NoSuchFileException e) {
      err.println("progcache: mod prefetch: " + goSum + " does not exist (run it in a module)");
      return 1;
    } catch (IOException e) {
      err.println("progcache: mod prefetch: cannot read " + goSum + ": " + e.getMessage());
      return 1;
    }
    Set<File> files = new LinkedHashSet<>();
    List<String> skipped = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank() && !filesOf(line, files)) {
        skipped.add(line);
      }
    }
    for (String s : skipped.subList(0, Math.min(3, skipped.size()))) {
      err.println("progcache: mod prefetch: skipped a go.sum line that names no module: " + s);
    }
    String token;
    try {
      String file = env.get("PROGCACHE_TOKEN_FILE");
      token =
          Endpoint.token(
              env.get("PROGCACHE_TOKEN"),
              file == null || file.isEmpty() ? Optional.empty() : Optional.of(Path.of(file)),
              "PROGCACHE_TOKEN_FILE");
    } catch (IllegalArgumentException e) {
      err.println("progcache: mod prefetch: " + e.getMessage());
      return 1;
    }
    Result r = fetch(base, files, dir, jobs, token, err);
    err.printf(
        Locale.ROOT,
        "progcache: mod prefetch: %d files (%s) fetched, %d already there, of %d from %s into %s"
            + " in %.2f s; %d not there, %d failed, %d waits for the server's rate limit%n",
        r.fetched,
        TrimText.bytes(r.bytes),
        r.present,
        files.size(),
        base,
        dir,
        r.nanos / 1e9,
        r.missing,
        r.failed,
        r.rateWaits);
    out.println(dir.toUri().toString().replaceFirst("/$", "") + "," + proxy);
    return r.failed > 0 ? 1 : 0;
  }

  private static int jobs(String v) throws ConfigException {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= MAX_JOBS) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ConfigException("mod prefetch: --jobs must be 1 to " + MAX_JOBS + ", got " + v);
  }

  /** The first entry of a GOPROXY list that is an http(s) URL, or null. */
  static String firstHttpProxy(String goproxy) {
    for (String e : goproxy.split("[,|]")) {
      String t = e.trim();
      if (t.startsWith("https://") || t.startsWith("http://")) {
        return t;
      }
    }
    return null;
  }

  private static URI proxyUri(String proxy) throws ConfigException {
    try {
      URI u = new URI(proxy.endsWith("/") ? proxy : proxy + "/");
      if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
        throw new ConfigException("mod prefetch: --proxy must be an http(s) URL, got " + proxy);
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      throw new ConfigException("mod prefetch: --proxy is not a URL: " + proxy);
    }
  }

  private static Path defaultDir(Map<String, String> env) {
    String runnerTemp = env.get("RUNNER_TEMP");
    if (runnerTemp != null && !runnerTemp.isEmpty()) {
      return Path.of(runnerTemp, "progcache-mod");
    }
    String tmp = env.getOrDefault("TMPDIR", "/tmp");
    return Path.of(
        tmp.isEmpty() ? "/tmp" : tmp, "progcache-mod-" + System.getProperty("user.name"));
  }

  /**
   * Adds the files a go.sum line asks for: {@code PATH VERSION/go.mod h1:...} the .mod, {@code PATH
   * VERSION h1:...} the .zip, .mod and .info. Returns false for a line that names no module (or one
   * whose path or version could leave the directory).
   */
  static boolean filesOf(String line, Set<File> files) {
    String[] f = line.trim().split("\\s+");
    if (f.length != 3 || !f[2].startsWith("h1:")) {
      return false;
    }
    String path = f[0];
    String version = f[1];
    boolean modOnly = version.endsWith("/go.mod");
    if (modOnly) {
      version = version.substring(0, version.length() - "/go.mod".length());
    }
    if (!PATH.matcher(path).matches()
        || !VERSION.matcher(version).matches()
        || List.of(path.split("/")).stream().anyMatch(e -> e.equals(".") || e.equals(".."))) {
      return false;
    }
    String stem = ModulePath.escape(path) + "/@v/" + ModulePath.escape(version);
    files.add(new File(stem + ".mod"));
    if (!modOnly) {
      files.add(new File(stem + ".zip"));
      files.add(new File(stem + ".info"));
    }
    return true;
  }

  private record Result(
      int fetched, int present, int missing, int failed, int rateWaits, long bytes, long nanos) {}

  private static Result fetch(
      URI base, Set<File> files, Path dir, int jobs, String token, PrintStream err) {
    long t0 = System.nanoTime();
    AtomicInteger fetched = new AtomicInteger();
    AtomicInteger present = new AtomicInteger();
    AtomicInteger missing = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    AtomicInteger reported = new AtomicInteger();
    AtomicInteger rateWaits = new AtomicInteger();
    // HttpURLConnection, not the JDK's HttpClient: building that client cost a new JVM ~0.3 s of
    // CPU (ADR 0011); each virtual thread here blocks on its own connection
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Semaphore slots = new Semaphore(jobs);
      List<Future<?>> all = new ArrayList<>();
      for (File f : files) {
        all.add(
            pool.submit(
                () -> {
                  Path target = dir.resolve(f.rel());
                  if (!target.normalize().startsWith(dir)) {
                    failed.incrementAndGet(); // filesOf refuses such paths; never write there
                    return;
                  }
                  if (Files.isRegularFile(target)) {
                    present.incrementAndGet();
                    return;
                  }
                  slots.acquireUninterruptibly();
                  try {
                    long n = get(base.resolve(f.rel()), token, target, rateWaits);
                    if (n < 0) {
                      missing.incrementAndGet();
                    } else {
                      fetched.incrementAndGet();
                      bytes.addAndGet(n);
                    }
                  } catch (IOException e) {
                    failed.incrementAndGet();
                    if (reported.getAndIncrement() < 3) {
                      err.println("progcache: mod prefetch: " + f.rel() + ": " + e.getMessage());
                    }
                  } finally {
                    slots.release();
                  }
                }));
      }
      for (Future<?> f : all) {
        try {
          f.get();
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      }
    }
    return new Result(
        fetched.get(),
        present.get(),
        missing.get(),
        failed.get(),
        rateWaits.get(),
        bytes.get(),
        System.nanoTime() - t0);
  }

  /**
   * Fetches {@code uri} into {@code target} (written whole or not at all); returns its size, or -1
   * when the proxy has no such file (404 or 410). A 429 is waited out and asked again, counted in
   * {@code rateWaits}.
   */
  private static long get(URI uri, String token, Path target, AtomicInteger rateWaits)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      long n = getOnce(uri, token, target);
      if (n != RATE_LIMITED) {
        return n;
      }
      rateWaits.incrementAndGet();
      if (attempt >= MAX_RATE_WAITS) {
        throw new IOException("HTTP 429 from " + uri + " after " + attempt + " tries");
      }
    }
  }

  /** What {@link #getOnce} returns after a 429 and the wait its {@code Retry-After} asked for. */
  private static final long RATE_LIMITED = -2;

  /** How often a file refused by the server's rate limit (429) is asked for again. */
  static final int MAX_RATE_WAITS = 20;

  private static long getOnce(URI uri, String token, Path target) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
    c.setConnectTimeout(10_000);
    c.setReadTimeout(60_000);
    c.setUseCaches(false);
    if (token != null && !token.isEmpty()) {
      c.setRequestProperty("Authorization", "Bearer " + token);
    }
    int s = c.getResponseCode();
    if (s == 429) { // --modproxy-rate: wait as asked (1 to 10 s), then the caller asks again
      long wait = retryAfterSeconds(c.getHeaderField("Retry-After"));
      closeErrorBody(c);
      try {
        Thread.sleep(wait * 1000);
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting out a 429 from " + uri);
      }
      return RATE_LIMITED;
    }
    if (s == 404 || s == 410) {
      closeErrorBody(c);
      return -1;
    }
    if (s != 200) {
      c.disconnect();
      throw new IOException("HTTP " + s + " from " + uri);
    }
    try (InputStream in = c.getInputStream()) {
      return AtomicFiles.write(target, in);
    }
  }

  /** A Retry-After in seconds, kept within 1 to 10; one second when there is no number. */
  private static long retryAfterSeconds(String header) {
    try {
      return header == null ? 1 : Math.clamp(Long.parseLong(header.strip()), 1, 10);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** Closes an error answer's body, so that its connection can be kept. */
  private static void closeErrorBody(HttpURLConnection c) throws IOException {
    InputStream e = c.getErrorStream();
    if (e != null) {
      e.close();
    }
  }
}
