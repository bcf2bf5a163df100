package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.progcache.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay checks its flags itself (an unknown one exits before any daemon starts), from a list in
 * src/main/c/progcache-relay.c: it must name exactly the helper's settings, each taking a value
 * exactly when the helper's does.
 */
@Timeout(30)
class RelayFlagsTest {
  @Test
  void relayFlagList_matchesTheHelpersSettings() throws Exception {
    String c = Files.readString(Path.of("src/main/c/progcache-relay.c"));
    Matcher table =
        Pattern.compile("FLAGS\\[\\] = \\{(.*?)\\{NULL, 0\\}", Pattern.DOTALL).matcher(c);
    assertThat(table.find()).as("the FLAGS table in the relay").isTrue();
    Map<String, Boolean> relay = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\\{\"([a-z0-9-]+)\", ([01])\\}").matcher(table.group(1));
    while (m.find()) {
      relay.put(m.group(1), m.group(2).equals("1"));
    }
    Map<String, Boolean> helper = new LinkedHashMap<>();
    for (Setting<?> s : HelperConfig.SETTINGS) {
      helper.put(s.key(), !s.type().isSwitch());
    }
    assertThat(relay).isEqualTo(helper);
  }
}
