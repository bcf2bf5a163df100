package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.config.Setting;
import dev.progcache.server.ServeConfig;
import dev.progcache.server.ServeSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * docs/commands.md, docs/remote.md and the help agree with the code: every setting, the helper's
 * and the server's, is documented with its flag and variable, and every flag and PROGCACHE_
 * variable the docs name exists.
 */
@Timeout(30)
class DocsAgreeTest {
  static final List<Path> DOCS = List.of(Path.of("docs/commands.md"), Path.of("docs/remote.md"));

  /** Placeholders the docs use to explain the naming rule, and their example of a wrong flag. */
  static final Set<String> PLACEHOLDERS =
      Set.of("PROGCACHE_KEY", "PROGCACHE_", "--key", "--flag", "--colour");

  private static String sources() throws IOException {
    StringBuilder b = new StringBuilder();
    for (Path root :
        List.of(
            Path.of("src/main/java"),
            Path.of("src/main/sh"),
            Path.of("src/main/c"),
            Path.of("deploy/ci"))) { // the CI recipes read their own variables
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          b.append(Files.readString(p)).append('\n');
        }
      }
    }
    return b.toString();
  }

  private static Set<String> all(Pattern p) throws IOException {
    Set<String> found = new TreeSet<>();
    for (Path d : DOCS) {
      Matcher m = p.matcher(Files.readString(d));
      while (m.find()) {
        found.add(m.group());
      }
    }
    found.removeAll(PLACEHOLDERS);
    return found;
  }

  @Test
  void everySetting_isInCommandsMd_andInTheHelp() throws IOException {
    String commands = Files.readString(Path.of("docs/commands.md"));
    for (Setting<?> s : HelperConfig.SETTINGS) {
      assertThat(commands).as("docs/commands.md names %s", s.env()).contains("`" + s.env() + "`");
      assertThat(commands)
          .as("docs/commands.md names key %s", s.key())
          .contains("`" + s.key() + "`");
      if (s.outsideEnvironment()) {
        assertThat(commands).as("docs/commands.md names %s", s.flag()).contains(s.flag());
        assertThat(HelperConfig.USAGE).as("--help names %s", s.flag()).contains(s.flag());
      }
    }
  }

  @Test
  void everyServeSetting_isInCommandsMd_andInServesHelp() throws IOException {
    String commands = Files.readString(Path.of("docs/commands.md"));
    for (Setting<?> s : ServeSettings.SETTINGS) {
      assertThat(commands).as("docs/commands.md names %s", s.env()).contains("`" + s.env() + "`");
      String usageName = s.outsideEnvironment() ? s.flag() : s.env();
      assertThat(commands).as("docs/commands.md names %s", usageName).contains(usageName);
      assertThat(ServeConfig.USAGE).as("serve --help names %s", usageName).contains(usageName);
    }
  }

  /** Every setting of every command, and the former names of variables still read. */
  private static List<Setting<?>> settings() {
    List<Setting<?>> all = new ArrayList<>(HelperConfig.SETTINGS);
    all.addAll(ServeSettings.SETTINGS);
    return all;
  }

  @Test
  void everyDocumentedVariable_isReadByTheCode() throws IOException {
    String src = sources();
    for (String v : all(Pattern.compile("PROGCACHE_[A-Z0-9_]*[A-Z0-9]"))) {
      boolean setting =
          settings().stream().anyMatch(s -> s.env().equals(v))
              || ServeSettings.FORMER_ENV.containsKey(v);
      assertThat(setting || src.contains(v))
          .as("%s is documented but nothing reads it", v)
          .isTrue();
    }
  }

  @Test
  void everyDocumentedFlag_exists() throws IOException {
    String src = sources();
    for (String f : all(Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*[a-z0-9]"))) {
      boolean setting = settings().stream().anyMatch(s -> s.flag().equals(f));
      assertThat(setting || src.contains("\"" + f + "\"") || src.contains(f + " "))
          .as("%s is documented but no command takes it", f)
          .isTrue();
    }
  }
}
