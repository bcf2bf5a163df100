package dev.progcache.server.http;

import java.io.IOException;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/** lz4 frames for response bodies: whether a client takes them, and the framing stream. */
final class Lz4 {
  private Lz4() {}

  /** Whether the request's Accept-Encoding names lz4. */
  static boolean accepted(Request req) {
    String ae = req.getHeaders().get(HttpHeader.ACCEPT_ENCODING);
    return ae != null && ae.toLowerCase(java.util.Locale.ROOT).contains("lz4");
  }

  /** An lz4 frame (64 KiB independent blocks, block checksums off) written to {@code out}. */
  static OutputStream frame(OutputStream out) throws IOException {
    return new LZ4FrameOutputStream(
        out,
        LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
        -1L,
        LZ4Factory.safeInstance().fastCompressor(),
        XXHashFactory.safeInstance().hash32(),
        LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
  }
}
