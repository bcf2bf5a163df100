package dev.progcache.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProgressBarTest {
  @Test
  void progressBar_redrawsAtMostTenTimesASecond_andClearsItsLine() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    ProgressBar bar = new ProgressBar(new PrintStream(b, true, StandardCharsets.UTF_8), clock::get);
    bar.start(4096);
    bar.advance(1024); // first advance draws
    bar.advance(1024); // same instant: no redraw
    clock.addAndGet(200_000_000L);
    bar.advance(1024);
    String s = b.toString(StandardCharsets.UTF_8);
    assertThat(s.split("\r", -1)).hasSize(4); // start, two redraws
    assertThat(s).contains("verifying [").contains(" 75% 3.0 KiB of 4.0 KiB").doesNotContain("\n");
    bar.done();
    assertThat(b.toString(StandardCharsets.UTF_8)).endsWith("\r");
  }
}
