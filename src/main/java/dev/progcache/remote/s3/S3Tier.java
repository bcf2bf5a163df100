package dev.progcache.remote.s3;

import dev.progcache.cache.Hit;
import dev.progcache.cache.Key;
import dev.progcache.remote.Background;
import dev.progcache.remote.RemoteCounter;
import dev.progcache.remote.RemoteException;
import dev.progcache.remote.RemoteException.Kind;
import dev.progcache.remote.RemoteLog;
import dev.progcache.remote.RemoteTier;
import dev.progcache.wire.ExactBody;
import dev.progcache.wire.Manifest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A shared cache in an S3-compatible bucket. One object per action, {@code <prefix>/a/<action
 * hex>}: its bytes are the output's body, and its user metadata names the output ({@code
 * progcache-output-id}) and its size ({@code progcache-size}). A hit is one GET; a put is one PUT,
 * which S3 makes visible atomically, so no reader ever sees a name without its body (see
 * docs/adr/0004-s3-layout.md).
 *
 * <p>Thread-safe and blocking; calls may be interrupted. The SDK client is built on a background
 * thread when the tier is made (it takes ~100 ms), so making the tier costs the caller nothing, and
 * SDK classes are loaded only when a tier is made. Credentials come from the SDK's default chain
 * unless given; they appear in no message. Bytes read are untrusted: the size is enforced here, the
 * sha256 by the {@link ObjectSink}.
 */
public final class S3Tier implements RemoteTier {
  /**
   * @param connectTimeout to open a connection
   * @param socketTimeout longest silence while reading or writing
   * @param maxObjectSize larger objects are not downloaded
   */
  public record Settings(Duration connectTimeout, Duration socketTimeout, long maxObjectSize) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofSeconds(2), Duration.ofSeconds(10), 4L << 30);
  }

  /** Counter of S3 GET requests sent. */
  public static final RemoteCounter GETS = RemoteCounter.S3_GETS;

  /** Counter of S3 PUT requests sent. */
  public static final RemoteCounter PUTS = RemoteCounter.S3_PUTS;

  static final String META_OUTPUT = "progcache-output-id";
  static final String META_SIZE = "progcache-size";

  private final S3Location location;
  private final Settings settings;
  private final RemoteLog log;
  private final Background<S3Client> client;
  private final S3Manifests manifests = new S3Manifests(this, System::currentTimeMillis);

  /** A tier with credentials from the AWS SDK's default chain. */
  public S3Tier(S3Location location, Settings settings, RemoteLog log) {
    this(location, settings, log, null);
  }

  /**
   * @param credentials the credentials to sign with, or null for the default chain
   */
  public S3Tier(
      S3Location location,
      Settings settings,
      RemoteLog log,
      @Nullable AwsCredentialsProvider credentials) {
    this.location = location;
    this.settings = settings;
    this.log = log;
    this.client =
        new Background<>("progcache-s3-init", () -> newClient(location, settings, credentials));
  }

  /**
   * Builds an SDK client for {@code location}: JDK HTTP connections, one retry, no chunked
   * checksums.
   */
  public static S3Client newClient(
      S3Location location, Settings settings, @Nullable AwsCredentialsProvider credentials) {
    if (System.getProperty("org.slf4j.simpleLogger.log.software.amazon.awssdk") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.software.amazon.awssdk", "warn");
    }
    S3ClientBuilder b =
        S3Client.builder()
            .region(Region.of(location.region()))
            .credentialsProvider(
                credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(settings.connectTimeout())
                    .socketTimeout(settings.socketTimeout())
                    .build())
            .forcePathStyle(location.pathStyle())
            // plain PUTs with a Content-Length work on every S3-compatible store
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            // the breaker, not the SDK, decides when to stop trying
            .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(2)));
    if (location.endpoint() != null) {
      b.endpointOverride(location.endpoint());
    }
    return b.build();
  }

  public S3Location location() {
    return location;
  }

  @Override
  public String credentialsHint() {
    return "check the AWS credentials (AWS_ACCESS_KEY_ID / AWS_PROFILE / web identity) and that they"
        + " may s3:GetObject, s3:PutObject and s3:ListBucket on bucket "
        + location.bucket();
  }

  @Override
  public Optional<Hit> get(Key action, ObjectSink sink) throws IOException {
    String key = location.actionKey(action.hex());
    GetObjectRequest req = GetObjectRequest.builder().bucket(location.bucket()).key(key).build();
    S3Client c = client();
    ResponseInputStream<GetObjectResponse> in;
    log.count(GETS, 1);
    try {
      in = c.getObject(req);
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw classify(e, "GET " + key, Kind.DENIED_READ);
    }
    boolean done = false;
    try {
      GetObjectResponse r = in.response();
      Key out = outputId(r.metadata());
      long size = r.contentLength() == null ? -1 : r.contentLength();
      String claimed = r.metadata().getOrDefault(META_SIZE, "");
      if (size < 0 || !claimed.equals(Long.toString(size))) {
        throw new RemoteException(
            Kind.FAILED,
            "object " + key + " has " + size + " bytes but its metadata says " + claimed);
      }
      if (size > settings.maxObjectSize()) {
        throw new RemoteException(
            Kind.FAILED,
            "object of " + size + " bytes is over the limit of " + settings.maxObjectSize());
      }
      Hit hit = sink.store(out, size, new ExactBody(in, size));
      done = true;
      return Optional.of(hit);
    } catch (SdkException e) {
      throw classify(e, "GET " + key, Kind.DENIED_READ);
    } finally {
      if (!done) {
        in.abort(); // do not drain a body we no longer want
      }
      in.close();
    }
  }

  private static Key outputId(Map<String, String> meta) throws RemoteException {
    String v = meta.getOrDefault(META_OUTPUT, "");
    try {
      return Key.ofHex(v.strip());
    } catch (IllegalArgumentException e) {
      throw new RemoteException(Kind.FAILED, "object without a valid " + META_OUTPUT + " metadata");
    }
  }

  @Override
  public void put(Key action, Key output, long size, Path body) throws IOException {
    String key = location.actionKey(action.hex());
    PutObjectRequest req =
        PutObjectRequest.builder()
            .bucket(location.bucket())
            .key(key)
            .contentLength(size)
            .contentType("application/octet-stream")
            .metadata(Map.of(META_OUTPUT, output.hex(), META_SIZE, Long.toString(size)))
            .build();
    S3Client c = client();
    log.count(PUTS, 1);
    try {
      c.putObject(req, size == 0 ? RequestBody.empty() : RequestBody.fromFile(body));
    } catch (SdkException e) {
      throw classify(e, "PUT " + key, Kind.DENIED_WRITE);
    }
  }

  /**
   * The union of the newest manifest shards of {@code context} (see {@link S3Manifests}); shards do
   * not say what go asked for, so all of it is prefetched.
   */
  @Override
  public Optional<Manifest> manifest(Key context) throws IOException {
    log.count(GETS, 1);
    return manifests.read(context).map(Manifest::allAsked);
  }

  /** Writes this runner's own manifest shard: every id of {@code report}. */
  @Override
  public void addToManifest(Key context, Manifest report) throws IOException {
    log.count(PUTS, 1);
    manifests.add(context, report.ids());
  }

  /** Turns an SDK failure into the kind of trouble the decorators react to. */
  IOException classify(SdkException e, String what, Kind denied) {
    if (Thread.currentThread().isInterrupted()) {
      return new InterruptedIOException(what + " interrupted");
    }
    if (!(e instanceof S3Exception s3)) {
      // no answer from S3: connection refused, timeout, DNS, missing credentials
      return new RemoteException(Kind.FAILED, what + ": " + firstLine(e.getMessage()));
    }
    String code =
        s3.awsErrorDetails() == null || s3.awsErrorDetails().errorCode() == null
            ? ""
            : s3.awsErrorDetails().errorCode();
    int status = s3.statusCode();
    String msg = what + ": " + (code.isEmpty() ? "" : code + ", ") + "HTTP " + status;
    if (code.equals("NoSuchBucket")) {
      return new RemoteException(
          Kind.FAILED,
          "bucket "
              + location.bucket()
              + " does not exist"
              + (location.endpoint() == null ? "" : " at " + location.endpoint())
              + " (NoSuchBucket); create it or fix --s3 / PROGCACHE_S3");
    }
    if (code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
      return new RemoteException(
          Kind.FAILED,
          msg + "; is the region right? Set PROGCACHE_S3_REGION to the bucket's region");
    }
    return switch (status) {
      case 401, 403 -> new RemoteException(denied, msg);
      case 429, 503 -> new RemoteException(Kind.THROTTLED, msg);
      case 413 -> new RemoteException(Kind.TOO_LARGE, msg);
      default -> new RemoteException(Kind.FAILED, msg);
    };
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "no details";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  @Override
  public void warmUp() {
    client.start();
  }

  S3Client client() throws IOException {
    try {
      return client.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the S3 client was being built");
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot build the S3 client: " + firstLine(String.valueOf(e.getCause())), e.getCause());
    }
  }

  @Override
  public void close() {
    if (client.isDone()) {
      try {
        client.get().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | RuntimeException e) {
        // never built, or closing anyway
      }
    }
  }
}
