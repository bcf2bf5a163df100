package dev.progcache.testing;

import dev.progcache.remote.s3.S3Location;
import dev.progcache.remote.s3.S3Tier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (s3proxy, filesystem backend, SigV4 with a test key pair) as a
 * separate process on 127.0.0.1; the jar is put into target/s3proxy by Maven. Closing kills it.
 */
public final class S3Proxy implements AutoCloseable {
  /** Test-only credentials, valid for this s3proxy alone. */
  public static final String ACCESS_KEY = "AKIAPROGCACHETEST0001";

  public static final String SECRET_KEY = "progcache-test-secret-not-a-real-one-0001";
  public static final String REGION = "us-east-1";

  private final Process process;
  private final int port;
  private final Path log;
  private final S3Client admin;

  private S3Proxy(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.admin = client(ACCESS_KEY, SECRET_KEY);
  }

  /** Starts s3proxy storing under {@code dir}; waits until it listens (at most two minutes). */
  public static S3Proxy start(Path dir) throws IOException, InterruptedException {
    String jarProp = System.getProperty("progcache.s3proxy.jar", "target/s3proxy/s3proxy.jar");
    Path jar = Path.of(jarProp);
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(
          "s3proxy jar not found at " + jar.toAbsolutePath() + "; run the tests through Maven");
    }
    Files.createDirectories(dir.resolve("data"));
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path props = dir.resolve("s3proxy.conf");
    Files.writeString(
        props,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + dir.resolve("data"),
            ""),
        StandardCharsets.UTF_8);
    Path log = dir.resolve("s3proxy.log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-Xmx256m",
                    "-jar",
                    jar.toAbsolutePath().toString(),
                    "--properties",
                    props.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      if (!p.isAlive()) {
        throw new AssertionError("s3proxy exited early; log:\n" + Files.readString(log));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return new S3Proxy(p, port, log);
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          p.destroyForcibly();
          throw new AssertionError(
              "s3proxy did not listen within 120 s; log:\n" + Files.readString(log));
        }
        Thread.sleep(200);
      }
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  /** Creates {@code bucket}. */
  public void createBucket(String bucket) {
    admin.createBucket(b -> b.bucket(bucket));
  }

  /**
   * The keys of the objects in {@code bucket} (not the directories the filesystem backend shows).
   */
  public List<String> objects(String bucket) {
    return admin.listObjectsV2Paginator(l -> l.bucket(bucket)).contents().stream()
        .map(o -> o.key())
        .filter(k -> !k.endsWith("/"))
        .toList();
  }

  /** A client with the right credentials, for setting up and inspecting buckets. */
  public S3Client admin() {
    return admin;
  }

  /** A location in {@code bucket} on this server, path-style. */
  public S3Location location(String bucket, String prefix) {
    return new S3Location(bucket, prefix, REGION, endpoint(), true);
  }

  /** A client signing with the given key pair. */
  public S3Client client(String accessKey, String secretKey) {
    return S3Tier.newClient(
        location("unused", ""),
        S3Tier.Settings.DEFAULT,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
  }

  /** Environment for a helper or server process using {@code s3://bucket/prefix} here. */
  public Map<String, String> env() {
    return env(ACCESS_KEY, SECRET_KEY);
  }

  /** Same, with the given key pair. */
  public Map<String, String> env(String accessKey, String secretKey) {
    Map<String, String> e = new HashMap<>();
    e.put("PROGCACHE_S3_ENDPOINT", endpoint().toString());
    e.put("PROGCACHE_S3_REGION", REGION);
    e.put("AWS_ACCESS_KEY_ID", accessKey);
    e.put("AWS_SECRET_ACCESS_KEY", secretKey);
    e.put("AWS_EC2_METADATA_DISABLED", "true");
    e.put("AWS_CONFIG_FILE", "/nonexistent/progcache-test-aws-config");
    e.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/progcache-test-aws-credentials");
    return e;
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  /** Kills the server at once (a crash, as the client sees it). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    admin.close();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
