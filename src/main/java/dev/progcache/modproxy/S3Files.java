package dev.progcache.modproxy;

import dev.progcache.remote.s3.S3Location;
import dev.progcache.remote.s3.S3Tier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Module files in the server's {@code --s3} bucket, as {@code <prefix>/mod/<key>}: one GET per
 * read, one PUT per file (S3 makes it visible atomically). Credentials come from the AWS SDK's
 * default chain, as for the build cache's objects.
 *
 * <p>Thread-safe and blocking. The SDK client is built on first use.
 */
final class S3Files implements ModStore {
  private final S3Location location;
  private final ReentrantLock lock = new ReentrantLock();
  private @Nullable S3Client client;

  S3Files(S3Location location) {
    this.location = location;
  }

  private String objectKey(String key) {
    return (location.prefix().isEmpty() ? "" : location.prefix() + "/") + "mod/" + key;
  }

  private S3Client client() {
    lock.lock();
    try {
      if (client == null) {
        client = S3Tier.newClient(location, S3Tier.Settings.DEFAULT, null);
      }
      return client;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean fetch(String key, Path into) throws IOException {
    GetObjectRequest req =
        GetObjectRequest.builder().bucket(location.bucket()).key(objectKey(key)).build();
    try (InputStream in = client().getObject(req)) {
      Files.copy(in, into, StandardCopyOption.REPLACE_EXISTING);
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (SdkException e) {
      throw new IOException(
          "GET " + objectKey(key) + " from " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void put(String key, Path file, long size) throws IOException {
    PutObjectRequest req =
        PutObjectRequest.builder()
            .bucket(location.bucket())
            .key(objectKey(key))
            .contentLength(size)
            .contentType("application/octet-stream")
            .build();
    try {
      client().putObject(req, size == 0 ? RequestBody.empty() : RequestBody.fromFile(file));
    } catch (SdkException e) {
      throw new IOException(
          "PUT " + objectKey(key) + " to " + describe() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return location.describe();
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (client != null) {
        client.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
