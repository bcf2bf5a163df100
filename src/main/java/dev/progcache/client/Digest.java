package dev.progcache.client;

import dev.progcache.cache.Key;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** sha256 and size of a channel's contents from position 0, as go computes a put's output ID. */
final class Digest {
  private Digest() {}

  record Result(Key id, long size) {}

  static Result of(SeekableByteChannel ch) throws IOException {
    MessageDigest md = sha256();
    ch.position(0);
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    long size = 0;
    for (int n = ch.read(buf); n >= 0; n = ch.read(buf)) {
      buf.flip();
      md.update(buf);
      buf.clear();
      size += n;
    }
    return new Result(Key.of(md.digest()), size);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
