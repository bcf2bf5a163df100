package dev.progcache.wire;

import dev.progcache.cache.Key;

/**
 * The request paths of the cache protocol, relative to a server's base URL (which may end in {@code
 * /ns/<name>/}):
 *
 * <ul>
 *   <li>{@code action/<hex>} and {@code output/<hex>}: {@code GET} a lookup;
 *   <li>{@code <action hex>/<output hex>}: {@code PUT} an object;
 *   <li>{@code batch}: {@code POST} an id list, answered by batch frames;
 *   <li>{@code manifest/<hex>}: {@code GET} or {@code POST} a manifest;
 *   <li>{@code ns/<name>/...}: any of the above in namespace {@code name}.
 * </ul>
 *
 * Stateless.
 */
public final class Paths {
  /** The first segment of an action lookup. */
  public static final String ACTION = "action";

  /** The first segment of an output lookup. */
  public static final String OUTPUT = "output";

  /** The path of a batch request. */
  public static final String BATCH = "batch";

  /** The first segment of a manifest request. */
  public static final String MANIFEST = "manifest";

  /** The first segment of a namespaced path. */
  public static final String NAMESPACE = "ns";

  private Paths() {}

  /** {@code action/<hex>}. */
  public static String action(Key action) {
    return ACTION + "/" + action.hex();
  }

  /** {@code output/<hex>}. */
  public static String output(Key output) {
    return OUTPUT + "/" + output.hex();
  }

  /** {@code <action hex>/<output hex>}, the path of a PUT. */
  public static String put(Key action, Key output) {
    return action.hex() + "/" + output.hex();
  }

  /** {@code manifest/<hex>}. */
  public static String manifest(Key context) {
    return MANIFEST + "/" + context.hex();
  }
}
