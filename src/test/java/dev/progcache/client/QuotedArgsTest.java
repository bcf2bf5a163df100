package dev.progcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class QuotedArgsTest {
  @Test
  void split_plainWords_onAnyWhitespace() {
    assertThat(QuotedArgs.split("  a\tb\nc\r d  ")).containsExactly("a", "b", "c", "d");
  }

  @Test
  void split_quotedFields_keepSpacesAndNoEscapes() {
    assertThat(QuotedArgs.split("'/opt/my helper' \"x y\" 'a\\b'"))
        .containsExactly("/opt/my helper", "x y", "a\\b");
  }

  @Test
  void split_quoteInsideWord_isOrdinary() {
    assertThat(QuotedArgs.split("it's x\"y")).containsExactly("it's", "x\"y");
  }

  @Test
  void split_fieldRightAfterClosingQuote_startsNewField() {
    assertThat(QuotedArgs.split("'a'b \"\"")).containsExactly("a", "b", "");
  }

  @Test
  void split_empty_isNoFields() {
    assertThat(QuotedArgs.split(" \t ")).isEmpty();
  }

  @Test
  void split_unterminatedQuote_saysWhichQuote() {
    assertThatThrownBy(() -> QuotedArgs.split("prog \"arg"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unterminated \" string");
  }

  @Test
  void join_thenSplit_givesTheSameArguments() {
    java.util.List<String> args =
        java.util.List.of("/opt/my helper", "it's", "say \"hi\"", "", "'x", "plain");
    assertThat(QuotedArgs.split(QuotedArgs.join(args))).isEqualTo(args);
  }

  @Test
  void join_argumentWithBothQuotes_isRefused() {
    assertThatThrownBy(() -> QuotedArgs.join(java.util.List.of("a' b\"c")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both kinds of quote");
  }
}
