import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Starts a GOCACHEPROG helper N times and reports the time from process start to its first
 * stdout line (the handshake): median, p90, p99, min, in milliseconds.
 *
 * <p>Usage: java bench/Handshake.java N -- helper args...
 */
public final class Handshake {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    List<String> cmd = new ArrayList<>(Arrays.asList(args).subList(2, args.length));
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      InputStream in = p.getInputStream();
      int c;
      while ((c = in.read()) != -1 && c != '\n') {
        // first line
      }
      ms[i] = (System.nanoTime() - t0) / 1e6;
      if (c == -1) {
        throw new IllegalStateException("helper exited before its handshake line: " + cmd);
      }
      p.getOutputStream().close();
      p.waitFor();
    }
    Arrays.sort(ms);
    System.out.printf(
        "handshake over %d starts: median %.2f ms, p90 %.2f ms, p99 %.2f ms, min %.2f ms%n",
        n, ms[n / 2], ms[(int) (n * 0.9)], ms[Math.min(n - 1, (int) (n * 0.99))], ms[0]);
  }
}
