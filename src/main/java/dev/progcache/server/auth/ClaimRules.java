package dev.progcache.server.auth;

import dev.progcache.server.store.Namespaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Which verified OIDC tokens get which grants: one rule a line, the first whose conditions all hold
 * decides; a token no rule matches gets nothing (403).
 *
 * <pre>
 *   # CONDITION... -&gt; GRANTS [ns=NAMESPACE] [reads=NS,NS...] [name=NAME]
 *   repository=acme/app ref=refs/heads/main event_name=push -&gt; read,write ns=main
 *   repository=acme/app event_name=pull_request -&gt; read,write ns=pr-${pr} reads=main
 *   repository_owner=acme -&gt; read
 * </pre>
 *
 * A condition is {@code CLAIM=VALUE}: the claim's value (a string, number or boolean) equals VALUE,
 * or starts with it when VALUE ends in {@code *}. A rule needs at least one condition. GRANTS are
 * {@code read}, {@code write} or {@code read,write}; {@code ns} is the home namespace (default
 * {@code main}) and {@code reads} further namespaces read after it, as in the tokens file.
 *
 * <p>{@code ns} and {@code name} may use {@code ${CLAIM}}; {@code ${pr}} is the number N of a ref
 * {@code refs/pull/N/merge} or {@code refs/pull/N/head} when the token has no {@code pr} claim. A
 * value put into {@code ns} is lower-cased and every run of characters outside {@code a-z 0-9 . _
 * -} becomes {@code -}. A templated namespace that comes out malformed, or equal to {@code main},
 * to any namespace the file names literally or to one a static token of the tokens file reads or
 * writes, denies the token (no later rule is tried): claims can never steer a token into a trusted
 * namespace. Immutable and thread-safe.
 */
public final class ClaimRules {
  /** What the rules say about one token: a principal, or why there is none. */
  public record Decision(Tokens.@Nullable Principal principal, String reason) {}

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");
  private static final Pattern PR_REF = Pattern.compile("refs/pull/([0-9]{1,12})/(?:merge|head)");

  private record Condition(String claim, String value, boolean prefix) {
    boolean holds(Map<String, Object> claims) {
      Optional<String> v = scalar(claims, claim);
      return v.isPresent() && (prefix ? v.get().startsWith(value) : v.get().equals(value));
    }
  }

  private record Rule(
      int line,
      List<Condition> when,
      Set<Tokens.Grant> grants,
      String home,
      List<String> reads,
      @Nullable String name) {}

  private final List<Rule> rules;
  private final Set<String> literal;

  private ClaimRules(List<Rule> rules, Set<String> literal) {
    this.rules = rules;
    this.literal = literal;
  }

  int size() {
    return rules.size();
  }

  /**
   * Reads a rules file.
   *
   * @throws IOException when it cannot be read, holds no rule, or a line is malformed (naming the
   *     file and line and what is expected)
   */
  public static ClaimRules load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<Rule> rules = new ArrayList<>();
    Set<String> literal = new LinkedHashSet<>(List.of(Namespaces.MAIN));
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      Rule r = parse(l, file + " line " + (i + 1), i + 1);
      rules.add(r);
      if (!r.home().contains("${")) {
        literal.add(r.home());
      }
      literal.addAll(r.reads());
    }
    if (rules.isEmpty()) {
      throw new IOException(file + " holds no rules; add lines such as: " + EXAMPLE);
    }
    return new ClaimRules(List.copyOf(rules), Set.copyOf(literal));
  }

  private static final String EXAMPLE =
      "repository=acme/app ref=refs/heads/main -> read,write ns=main";

  private static Rule parse(String l, String where, int line) throws IOException {
    int arrow = l.indexOf("->");
    if (arrow < 0) {
      throw new IOException(
          where + ": expected CLAIM=VALUE... -> GRANTS [ns=NS] [reads=NS,...], e.g. " + EXAMPLE);
    }
    List<Condition> when = new ArrayList<>();
    for (String c : l.substring(0, arrow).strip().split("\\s+")) {
      if (c.isEmpty()) {
        continue;
      }
      int eq = c.indexOf('=');
      if (eq <= 0 || eq == c.length() - 1) {
        throw new IOException(where + ": condition \"" + c + "\" is not CLAIM=VALUE");
      }
      String v = c.substring(eq + 1);
      boolean prefix = v.endsWith("*");
      when.add(
          new Condition(c.substring(0, eq), prefix ? v.substring(0, v.length() - 1) : v, prefix));
    }
    if (when.isEmpty()) {
      throw new IOException(
          where
              + ": a rule needs at least one CLAIM=VALUE condition (an issuer such as GitHub's signs"
              + " tokens for every repository: match repository or repository_owner)");
    }
    EnumSet<Tokens.Grant> grants = EnumSet.noneOf(Tokens.Grant.class);
    String home = Namespaces.MAIN;
    List<String> reads = new ArrayList<>();
    String name = null;
    for (String f : l.substring(arrow + 2).strip().split("\\s+")) {
      if (f.isEmpty()) {
        continue;
      }
      int eq = f.indexOf('=');
      String key = eq < 0 ? "" : f.substring(0, eq).toLowerCase(Locale.ROOT);
      String v = eq < 0 ? f : f.substring(eq + 1);
      switch (key) {
        case "" -> grants.addAll(TokenLine.grants(v, where));
        case "ns" -> home = template(v, where);
        case "reads" -> {
          for (String n : v.split(",")) {
            if (!Namespaces.valid(n)) {
              throw new IOException(
                  where + ": bad namespace \"" + n + "\" in reads (" + Namespaces.RULE + ")");
            }
            reads.add(n);
          }
        }
        case "name" -> name = v;
        default -> throw new IOException(where + ": unknown key \"" + key + "\" (ns, reads, name)");
      }
    }
    if (grants.isEmpty()) {
      throw new IOException(where + ": no grants after -> (read, write or read,write)");
    }
    return new Rule(line, List.copyOf(when), grants, home, List.copyOf(reads), name);
  }

  /** A literal namespace, or a template that gives a well-formed one for plain values. */
  private static String template(String v, String where) throws IOException {
    String probe = PLACEHOLDER.matcher(v).replaceAll("x");
    if (probe.contains("$") || !Namespaces.valid(probe)) {
      throw new IOException(
          where
              + ": bad namespace \""
              + v
              + "\" ("
              + Namespaces.RULE
              + ", with ${CLAIM} for a claim's value)");
    }
    return v;
  }

  /** The first matching rule's principal for these verified claims, or why there is none. */
  public Decision decide(Map<String, Object> claims) {
    return decide(claims, ns -> false);
  }

  /**
   * As {@link #decide(Map)}; a templated namespace that {@code held} says is held otherwise (by a
   * static token of the tokens file) denies the token, like one the rules name literally.
   */
  public Decision decide(Map<String, Object> claims, java.util.function.Predicate<String> held) {
    for (Rule r : rules) {
      if (r.when().stream().allMatch(c -> c.holds(claims))) {
        return apply(r, claims, held);
      }
    }
    return new Decision(null, "no rule matches this token's claims");
  }

  private Decision apply(
      Rule r, Map<String, Object> claims, java.util.function.Predicate<String> held) {
    String home = r.home();
    if (home.contains("${")) {
      Optional<String> filled = fill(home, claims, true);
      if (filled.isEmpty()) {
        return new Decision(null, "rule on line " + r.line() + " names a claim the token lacks");
      }
      home = filled.get();
      if (!Namespaces.valid(home) || literal.contains(home) || held.test(home)) {
        return new Decision(
            null, "rule on line " + r.line() + " gives a namespace its template may not reach");
      }
    }
    List<String> chain = new ArrayList<>();
    chain.add(home);
    r.reads().stream().filter(n -> !chain.contains(n)).forEach(chain::add);
    String name =
        r.name() == null ? defaultName(claims) : fill(r.name(), claims, false).orElse("oidc");
    return new Decision(
        new Tokens.Principal(printable(name), r.grants(), home, chain), "rule on line " + r.line());
  }

  private static String defaultName(Map<String, Object> claims) {
    Optional<String> repo = scalar(claims, "repository");
    Optional<String> ref = scalar(claims, "ref");
    if (repo.isPresent()) {
      return "oidc:" + repo.get() + ref.map(x -> "@" + x).orElse("");
    }
    return "oidc:" + scalar(claims, "sub").orElse("?");
  }

  /** Replaces each {@code ${CLAIM}}; empty when a claim is missing. */
  private static Optional<String> fill(
      String template, Map<String, Object> claims, boolean namespace) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      Optional<String> v = scalar(claims, m.group(1));
      if (v.isEmpty()) {
        return Optional.empty();
      }
      m.appendReplacement(b, Matcher.quoteReplacement(namespace ? sanitize(v.get()) : v.get()));
    }
    m.appendTail(b);
    return Optional.of(b.toString());
  }

  /** Lower case; each run of characters outside a-z 0-9 . _ - becomes one '-'. */
  static String sanitize(String v) {
    String s = v.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
    return s.length() > 64 ? s.substring(0, 64) : s;
  }

  /** A name for logs: printable ASCII without spaces, at most 120 characters. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 120; i++) {
      char c = s.charAt(i);
      b.append(c > 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }

  /**
   * A claim as text when it is a string, number or boolean; {@code pr} derived from {@code ref}.
   */
  private static Optional<String> scalar(Map<String, Object> claims, String name) {
    Object v = claims.get(name);
    if (v == null && name.equals("pr")) {
      Object ref = claims.get("ref");
      if (ref instanceof String s) {
        Matcher m = PR_REF.matcher(s);
        if (m.matches()) {
          return Optional.of(m.group(1));
        }
      }
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean) {
      return Optional.of(v.toString());
    }
    return Optional.empty();
  }
}
