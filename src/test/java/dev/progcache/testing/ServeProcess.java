package dev.progcache.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real {@code progcache serve} process on loopback; its stderr is collected. */
public final class ServeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (http://[^ ]+)");
  private final Process process;
  private final StringBuffer stderr = new StringBuffer();
  private final URI url;

  private ServeProcess(Process p, long seconds) throws InterruptedException {
    this.process = p;
    CompletableFuture<URI> found = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                  stderr.append(l).append('\n');
                  Matcher m = LISTENING.matcher(l);
                  if (m.find()) {
                    found.complete(URI.create(m.group(1)));
                  }
                }
              } catch (IOException e) {
                // process gone
              }
              found.complete(null);
            });
    URI u;
    try {
      u = found.get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      u = null;
    }
    if (u == null) {
      Processes.kill(p);
      throw new AssertionError("progcache serve did not start; stderr:\n" + stderr);
    }
    this.url = u;
  }

  /** Starts {@code progcache serve --listen host:port --dir dir extra...}. */
  public static ServeProcess start(String listen, Path dir, String... extra)
      throws IOException, InterruptedException {
    return start(listen, dir, java.util.Map.of(), extra);
  }

  /** Same, with {@code env} added to the server's environment. */
  public static ServeProcess start(
      String listen, Path dir, java.util.Map<String, String> env, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Dist.launcher().toString(), "serve", "--listen", listen, "--dir", dir.toString()));
    cmd.addAll(List.of(extra));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    return new ServeProcess(pb.start(), 60);
  }

  /**
   * Starts exactly {@code command} (a server that logs "listening on URL") with exactly {@code env}
   * as its whole environment, as an init system or a container runtime would.
   */
  public static ServeProcess startExactly(List<String> command, java.util.Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().putAll(env);
    return new ServeProcess(pb.start(), 60);
  }

  public URI url() {
    return url;
  }

  /** The server's {@code /metrics} text (a server without auth). */
  public String metrics() throws IOException, InterruptedException {
    return metrics(null);
  }

  /** The server's {@code /metrics} text, asked with {@code token} (one with the metrics grant). */
  public String metrics(@org.jspecify.annotations.Nullable String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url.resolve("metrics"));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body();
    }
  }

  /**
   * The value of the {@code /metrics} sample whose name and labels match regex {@code sample};
   * empty when there is none.
   */
  public OptionalDouble metric(String sample) throws IOException, InterruptedException {
    Matcher m = Pattern.compile("(?m)^" + sample + " ([0-9.E+]+)$").matcher(metrics());
    return m.find() ? OptionalDouble.of(Double.parseDouble(m.group(1))) : OptionalDouble.empty();
  }

  public int port() {
    return url.getPort();
  }

  public long pid() {
    return process.pid();
  }

  public String stderr() {
    return stderr.toString();
  }

  /** Kills the process with SIGKILL (no shutdown hooks run) and waits until it is gone. */
  public void kill() throws InterruptedException {
    Processes.killDescendants(process.toHandle()); // the JVM, when the launcher runs it as a child
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("progcache serve did not die within 30 s of SIGKILL");
    }
  }

  /** Stops gracefully (SIGTERM) and waits; returns the exit status. */
  public int stop(long seconds) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("progcache serve did not stop within " + seconds + " s");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    Processes.kill(process);
  }
}
