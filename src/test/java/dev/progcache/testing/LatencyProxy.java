package dev.progcache.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that adds latency, as to a cache in another region: a new connection
 * reaches the upstream only after {@code delay} (its handshake), and every byte from client to
 * upstream arrives {@code delay} late (so every request pays it once; throughput is not limited).
 * At most {@code maxConnections} connections are served at once; more wait to be accepted.
 *
 * <p>Thread-safe. Also a program for benchmarks: {@code LatencyProxy UPSTREAM_PORT DELAY_MS
 * [MAX_CONNECTIONS]} prints {@code listening on http://127.0.0.1:PORT/} and runs until killed.
 */
public final class LatencyProxy implements AutoCloseable {
  private record Chunk(long due, byte[] bytes) {}

  private static final Chunk EOF = new Chunk(0, new byte[0]);
  private final ServerSocket listener;
  private final InetSocketAddress upstream;
  private final Semaphore slots;
  private volatile long delayNanos;
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong forwarded = new AtomicLong();

  private LatencyProxy(InetSocketAddress upstream, Duration delay, int maxConnections)
      throws IOException {
    this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.upstream = upstream;
    this.delayNanos = delay.toNanos();
    this.slots = new Semaphore(maxConnections);
    Thread.ofPlatform().daemon().name("latency-proxy-accept").start(this::accept);
  }

  /** Starts a proxy to {@code 127.0.0.1:upstreamPort}. */
  public static LatencyProxy start(int upstreamPort, Duration delay, int maxConnections)
      throws IOException {
    return new LatencyProxy(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort),
        delay,
        maxConnections);
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Chunks of bytes the upstream has answered with so far (0: no response yet). */
  public long responses() {
    return forwarded.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        slots.acquire();
        Socket client = listener.accept();
        connections.incrementAndGet();
        Thread.ofVirtual().start(() -> serve(client));
      } catch (IOException | InterruptedException e) {
        slots.release();
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      sleepNanos(delayNanos); // the connection's own round trip
      try (Socket up = new Socket(upstream.getAddress(), upstream.getPort())) {
        client.setTcpNoDelay(true);
        up.setTcpNoDelay(true);
        Thread back = Thread.ofVirtual().start(() -> pipe(up, client, false));
        pipe(client, up, true);
        back.join();
      }
    } catch (IOException | InterruptedException e) {
      // a side hung up
    } finally {
      slots.release();
    }
  }

  /** Copies from {@code from} to {@code to}, each chunk delayed when {@code delayed}. */
  private void pipe(Socket from, Socket to, boolean delayed) {
    BlockingQueue<Chunk> q = new LinkedBlockingQueue<>();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    OutputStream out = to.getOutputStream();
                    for (Chunk c = q.take(); c != EOF; c = q.take()) {
                      sleepNanos(c.due() - System.nanoTime());
                      out.write(c.bytes());
                      out.flush();
                      if (!delayed) {
                        forwarded.incrementAndGet();
                      }
                    }
                    to.shutdownOutput();
                  } catch (IOException | InterruptedException e) {
                    closeQuietly(to);
                  }
                });
    try {
      InputStream in = from.getInputStream();
      byte[] buf = new byte[64 * 1024];
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        long due = delayed ? System.nanoTime() + delayNanos : 0;
        q.add(new Chunk(due, Arrays.copyOf(buf, n)));
      }
    } catch (IOException e) {
      // closed
    }
    q.add(EOF);
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepNanos(long n) throws InterruptedException {
    if (n > 0) {
      Thread.sleep(Duration.ofNanos(n));
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "usage: LatencyProxy UPSTREAM_PORT DELAY_MS [MAX_CONNECTIONS]");
    }
    LatencyProxy p =
        start(
            Integer.parseInt(args[0]),
            Duration.ofMillis(Long.parseLong(args[1])),
            args.length > 2 ? Integer.parseInt(args[2]) : 256);
    System.out.println("listening on " + p.url());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
