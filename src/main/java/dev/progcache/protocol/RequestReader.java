package dev.progcache.protocol;

import dev.progcache.cache.NativeRoutines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads go's requests: a stream of JSON objects, each put with a body followed by one JSON string
 * holding the body in standard base64.
 *
 * <p>A parser for exactly this (RFC 8259 JSON, fields matched as go's {@code encoding/json} does:
 * exact name first, then ignoring case; unknown fields skipped whatever their value). It is written
 * out here rather than taken from a JSON library because it sits on every helper's start: creating
 * a Jackson parser costs 15-20 ms in a new JVM (its base class makes {@code BigDecimal} constants,
 * and {@code BigDecimal}'s initializer computes 5^65536 in the interpreter). The Jackson-based
 * reader it replaced is the reference it is tested against.
 *
 * <p>Limits: objects nest at most {@value #MAX_DEPTH} deep, field names and string values other
 * than a put's body hold at most {@value #MAX_STRING} bytes. Not thread-safe: one reader thread
 * owns it. Bodies are streamed, never held in memory whole.
 */
public final class RequestReader {
  static final int MAX_DEPTH = 64;
  static final int MAX_STRING = 1 << 16;
  private static final int EOF = -1;
  private static final byte[] DECODE = new byte[128];

  static {
    Arrays.fill(DECODE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE[alphabet.charAt(i)] = (byte) i;
    }
  }

  /**
   * Two base64 characters at once: {@code PAIRS[c0 << 7 | c1]} is their 12 bits, or -1 when either
   * is not a base64 character (both must be ASCII). Half the lookups and branches of one character
   * at a time, under C1 too; 32 KiB, built on the first body (a warm build may send none).
   */
  private static final class Pairs {
    static final short[] PAIRS = new short[1 << 14];

    static {
      for (int i = 0; i < PAIRS.length; i++) {
        int hi = DECODE[i >> 7];
        int lo = DECODE[i & 0x7f];
        PAIRS[i] = (short) (hi < 0 || lo < 0 ? -1 : hi << 6 | lo);
      }
    }
  }

  /**
   * libcrypto's base64 decoder (through {@link NativeRoutines}), once it decoded a known text as
   * the Java loop below does and refused padding. Under C1, as the one-shot runs, it decodes put
   * bodies at about 1.9 GB/s against the loop's 0.3 GB/s (ADR 0037).
   */
  private static final NativeRoutines.Checked NATIVE_BASE64 =
      new NativeRoutines.Checked(RequestReader::decodesAsJava);

  private static boolean decodesAsJava(NativeRoutines.Linked l) {
    byte[] text = new byte[1536];
    for (int i = 0; i < text.length; i++) {
      text[i] = (byte) (i * 131 + (i >> 5));
    }
    byte[] b64 = Base64.getEncoder().encode(text);
    byte[] got = new byte[text.length];
    byte[] pad = b64.clone();
    pad[100] = '=';
    return NativeRoutines.decodeBase64(l, got, 0, b64, 0, b64.length) == text.length
        && Arrays.equals(got, text)
        && NativeRoutines.decodeBase64(l, got, 0, pad, 0, pad.length) == -1;
  }

  /** Plain base64 characters at least, for a native call to be worth its cost. */
  private static final int NATIVE_MIN = 512;

  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private long seq;
  private long lastId = -1;

  /** Bytes of the string being read (names, commands, ids). */
  private final ByteArrayOutputStream text = new ByteArrayOutputStream(64);

  /** Whether the last {@link #stringChar} came from an escape. */
  private boolean escapedChar;

  /** The put whose body is being read, for messages. */
  private @Nullable Request body;

  /** Decoded body bytes on their way out; made at the first body. */
  private byte @Nullable [] decoded;

  /** Whether bodies may be decoded by {@link #NATIVE_BASE64}: off in tests of the Java loop. */
  private final boolean nativeDecoding;

  /** Body bytes {@link #NATIVE_BASE64} decoded, for tests. */
  private long nativeBytes;

  public RequestReader(InputStream in) {
    this(in, true);
  }

  RequestReader(InputStream in, boolean nativeDecoding) {
    this.in = in;
    this.nativeDecoding = nativeDecoding;
  }

  long nativeBytes() {
    return nativeBytes;
  }

  /**
   * Reads the next request, or returns null at end of input.
   *
   * @throws ProtocolException when the input is not a request object
   */
  public @Nullable Request next() throws ProtocolException {
    seq++;
    try {
      int c = skipSpace();
      if (c == EOF) {
        return null;
      }
      if (c != '{') {
        throw malformed("expected a JSON object, got " + describe(c));
      }
      pos++;
      return readObject();
    } catch (IOException e) {
      throw new ProtocolException("request #" + seq + afterId() + ": cannot read: " + e, e);
    }
  }

  /** What follows the {@code {"ID":} and the id of a get as go writes it, up to its ActionID. */
  private static final byte[] GET_HEAD = "{\"ID\":".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] GET_MIDDLE =
      ",\"Command\":\"get\",\"ActionID\":\"".getBytes(StandardCharsets.US_ASCII);

  /** A 32-byte id in padded base64. */
  private static final int ID_BASE64 = 44;

  /**
   * A get exactly as go writes one, {@code {"ID":N,"Command":"get","ActionID":"<44 base64>"}},
   * whole in the buffer: read without the general path (a warm build sends a thousand, many while
   * the JVM still interprets). Null, with nothing consumed, for anything else, which the general
   * path then reads: other field orders, escapes, spaces, long ids, other lengths of ActionID.
   */
  private @Nullable Request fastGet() {
    int p = pos - 1; // at the '{'
    int limit = end;
    if (limit - p < GET_HEAD.length + 1 + GET_MIDDLE.length + ID_BASE64 + 2
        || !matches(GET_HEAD, p)) {
      return null;
    }
    p += GET_HEAD.length;
    int first = p;
    long id = 0;
    while (p < limit && p - first < 18 && buf[p] >= '0' && buf[p] <= '9') {
      id = id * 10 + (buf[p++] - '0');
    }
    if (p == first
        || (buf[first] == '0' && p - first > 1)
        || limit - p < GET_MIDDLE.length + ID_BASE64 + 2
        || !matches(GET_MIDDLE, p)) {
      return null;
    }
    p += GET_MIDDLE.length;
    byte[] action;
    try {
      // the decoder the general path uses: both read the same id from the same characters
      action = Base64.getDecoder().decode(Arrays.copyOfRange(buf, p, p + ID_BASE64));
    } catch (IllegalArgumentException e) {
      return null; // not base64 here (a shorter id, an escape): the general path says what
    }
    p += ID_BASE64;
    if (buf[p] != '"' || buf[p + 1] != '}') {
      return null;
    }
    pos = p + 2;
    lastId = id;
    return new Request(seq, id, "get", action, null, null, 0);
  }

  private boolean matches(byte[] piece, int at) {
    for (int i = 0; i < piece.length; i++) {
      if (buf[at + i] != piece[i]) {
        return false;
      }
    }
    return true;
  }

  private Request readObject() throws IOException, ProtocolException {
    Request fast = fastGet();
    if (fast != null) {
      return fast;
    }
    Long id = null;
    String command = null;
    byte[] action = null;
    byte[] output = null;
    byte[] object = null;
    long bodySize = 0;
    if (skipSpace() == '}') {
      pos++;
    } else {
      while (true) {
        expect('"', "a field name");
        String name = string();
        expect(':', "':' after a field name");
        int c = skipSpace();
        if (c == 'n') {
          literal("null");
        } else {
          switch (fieldName(name)) {
            case "id" -> id = integer("ID");
            case "command" -> command = stringValue("Command");
            case "actionid" -> action = binary("ActionID");
            case "outputid" -> output = binary("OutputID");
            case "objectid" -> object = binary("ObjectID");
            case "bodysize" -> bodySize = integer("BodySize");
            default -> skipValue(1);
          }
        }
        if (endsAfterMember('}', " in the request object")) {
          break;
        }
      }
    }
    if (id == null) {
      throw malformed("request has no ID");
    }
    lastId = id;
    if (bodySize < 0) {
      throw malformed("request ID " + id + " has negative BodySize " + bodySize);
    }
    return new Request(seq, id, command == null ? "" : command, action, output, object, bodySize);
  }

  /** go's field names are matched exactly first, then ignoring case (as encoding/json does). */
  private static String fieldName(String name) {
    return switch (name) {
      case "ID" -> "id";
      case "Command" -> "command";
      case "ActionID" -> "actionid";
      case "OutputID" -> "outputid";
      case "ObjectID" -> "objectid";
      case "BodySize" -> "bodysize";
      default -> name.toLowerCase(Locale.ROOT);
    };
  }

  /**
   * Streams the body line that follows a put into {@code out}, returning the number of decoded
   * bytes. Reads the whole body even when {@code out} throws part way: {@code out} must swallow its
   * own failures (see {@link dev.progcache.cache.BodySource}).
   *
   * @throws ProtocolException when the next value is not a base64 string
   */
  public long readBody(Request r, OutputStream out) throws ProtocolException {
    try {
      int c = skipSpace();
      if (c != '"') {
        throw new ProtocolException(
            where(r)
                + ": expected the body line (a base64 JSON string of "
                + r.bodySize()
                + " bytes), got "
                + describe(c));
      }
      pos++;
      body = r;
      try {
        return base64Body(r, out);
      } finally {
        body = null;
      }
    } catch (IOException e) {
      throw new ProtocolException(where(r) + ": bad body line: " + e, e);
    }
  }

  /**
   * Decodes a base64 string (after its opening quote) into {@code out}, 48 KiB at a time. Padding
   * is required and white space is refused, as go writes it; escapes are decoded and must give
   * base64 characters.
   *
   * <p>The characters before the last four of the length go writes for {@code BodySize} bytes are
   * plain base64 when go wrote them: whole buffers of them go to {@link #NATIVE_BASE64} when it is
   * ready. At the first it refuses (an escape, padding, anything else), the rest of the body is
   * read here, character by character where needed, which says what was wrong.
   */
  private long base64Body(Request r, OutputStream out) throws IOException, ProtocolException {
    byte[] chunk = decoded;
    if (chunk == null) {
      chunk = new byte[48 << 10];
      decoded = chunk; // kept: writes may not hold on to it (the OutputStream contract)
    }
    long plain = (r.bodySize() + 2) / 3 * 4 - 4; // characters before go's last quad
    NativeRoutines.Linked nat = nativeDecoding && plain >= NATIVE_MIN ? NATIVE_BASE64.get() : null;
    int n = 0;
    long total = 0;
    int quad = 0;
    int have = 0;
    int pad = 0;
    while (true) {
      int c;
      if (pos < end && pad == 0) { // the common case: plain base64 in the buffer, decoded inline
        byte[] b = buf;
        int p = pos;
        int e = end;
        if (have == 0 && nat != null) { // go's plain characters, natively
          int len = (int) Math.min(e - p, plain - total / 3 * 4) & ~3;
          if (len >= NATIVE_MIN) {
            if (chunk.length - n < len / 4 * 3) {
              out.write(chunk, 0, n);
              n = 0;
              len = Math.min(len, chunk.length / 3 * 4);
            }
            int got = NativeRoutines.decodeBase64(nat, chunk, n, b, p, len);
            if (got < 0) {
              nat = null;
            } else {
              n += got;
              p += len;
              total += got;
              nativeBytes += got;
            }
          }
        }
        if (have == 0) { // whole quads, two lookups each, until one is not plain base64
          short[] pairs = Pairs.PAIRS;
          int start = p;
          while (p + 4 <= e) {
            int c0 = b[p];
            int c1 = b[p + 1];
            int c2 = b[p + 2];
            int c3 = b[p + 3];
            if ((c0 | c1 | c2 | c3) < 0) {
              break;
            }
            int hi = pairs[c0 << 7 | c1];
            int lo = pairs[c2 << 7 | c3];
            if ((hi | lo) < 0) {
              break;
            }
            if (n + 3 > chunk.length) {
              out.write(chunk, 0, n);
              n = 0;
            }
            chunk[n] = (byte) (hi >> 4);
            chunk[n + 1] = (byte) (hi << 4 | lo >> 8);
            chunk[n + 2] = (byte) lo;
            n += 3;
            p += 4;
          }
          total += (p - start) / 4 * 3;
        }
        boolean whole = false; // a quad begun before was completed: back to the runs above
        while (p < e && !whole) {
          int x = b[p];
          int v = x >= 0 ? DECODE[x] : -1;
          if (v < 0) {
            break;
          }
          p++;
          quad = quad << 6 | v;
          if (++have == 4) {
            if (n + 3 > chunk.length) {
              out.write(chunk, 0, n);
              n = 0;
            }
            chunk[n] = (byte) (quad >> 16);
            chunk[n + 1] = (byte) (quad >> 8);
            chunk[n + 2] = (byte) quad;
            n += 3;
            total += 3;
            have = 0;
            quad = 0;
            whole = true;
          }
        }
        pos = p;
        if (p == e || whole) {
          continue; // refill, or plain runs again
        }
      }
      c = stringChar(); // the quote, '=', an escape, or a bad byte
      if (c == EOF) {
        break;
      }
      if (c == '=') {
        pad++;
        continue;
      }
      int v = c < 128 ? DECODE[c] : -1;
      if (v < 0 || pad > 0) {
        throw new ProtocolException(
            where(r) + ": bad body line: not base64 (" + describeChar(c) + ")");
      }
      quad = quad << 6 | v;
      if (++have == 4) {
        if (n + 3 > chunk.length) {
          out.write(chunk, 0, n);
          n = 0;
        }
        chunk[n++] = (byte) (quad >> 16);
        chunk[n++] = (byte) (quad >> 8);
        chunk[n++] = (byte) quad;
        total += 3;
        have = 0;
        quad = 0;
      }
    }
    boolean complete =
        (have == 0 && pad == 0) || (have == 2 && pad == 2) || (have == 3 && pad == 1);
    if (!complete) {
      throw new ProtocolException(where(r) + ": bad body line: truncated base64");
    }
    if (n + 2 > chunk.length) {
      out.write(chunk, 0, n);
      n = 0;
    }
    if (have == 2) {
      chunk[n++] = (byte) (quad >> 4);
      total += 1;
    } else if (have == 3) {
      chunk[n++] = (byte) (quad >> 10);
      chunk[n++] = (byte) (quad >> 2);
      total += 2;
    }
    if (n > 0) {
      out.write(chunk, 0, n);
    }
    return total;
  }

  private long integer(String field) throws IOException, ProtocolException {
    int c = peek();
    if (c != '-' && (c < '0' || c > '9')) {
      throw malformed(field + " must be an integer, got " + describe(c));
    }
    String num = number();
    if (num.indexOf('.') >= 0 || num.indexOf('e') >= 0 || num.indexOf('E') >= 0) {
      throw malformed(field + " must be an integer, got a number with a fraction or exponent");
    }
    try {
      return Long.parseLong(num);
    } catch (NumberFormatException e) {
      throw malformed(field + " out of range");
    }
  }

  private String stringValue(String field) throws IOException, ProtocolException {
    int c = peek();
    if (c != '"') {
      throw malformed(field + " must be a string, got " + describe(c));
    }
    pos++;
    return string();
  }

  private byte[] binary(String field) throws IOException, ProtocolException {
    int c = peek();
    if (c != '"') {
      throw malformed(field + " must be a base64 string, got " + describe(c));
    }
    pos++;
    String s = string();
    if (s.length() % 4 != 0) {
      throw malformed(field + " is not valid base64: not padded to a multiple of 4 characters");
    }
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw malformed(field + " is not valid base64: " + e.getMessage());
    }
  }

  /** Skips one value of any kind; {@code depth} is the nesting of the object it is in. */
  private void skipValue(int depth) throws IOException, ProtocolException {
    if (depth > MAX_DEPTH) {
      throw malformed("nested deeper than " + MAX_DEPTH);
    }
    int c = skipSpace();
    switch (c) {
      case '"' -> {
        pos++;
        skipString();
      }
      case '{', '[' -> {
        pos++;
        char close = c == '{' ? '}' : ']';
        if (skipSpace() == close) {
          pos++;
          return;
        }
        while (true) {
          if (c == '{') {
            expect('"', "a field name");
            skipString();
            expect(':', "':' after a field name");
          }
          skipValue(depth + 1);
          if (endsAfterMember(close, "")) {
            return;
          }
        }
      }
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
        } else {
          throw malformed("expected a value, got " + describe(c));
        }
      }
    }
  }

  /**
   * Consumes the ',' or {@code close} after an object member or array element; whether it was
   * {@code close}. {@code where} goes into the message when it is neither.
   */
  private boolean endsAfterMember(char close, String where) throws IOException, ProtocolException {
    int d = skipSpace();
    if (d != EOF) {
      pos++;
    }
    if (d == close) {
      return true;
    }
    if (d != ',') {
      throw malformed("expected ',' or '" + close + "'" + where + ", got " + describe(d));
    }
    return false;
  }

  /** Consumes the rest of a string whose opening quote was consumed, holding none of it. */
  private void skipString() throws IOException, ProtocolException {
    while (stringChar() != EOF) {
      // skipped
    }
  }

  /** A JSON number's text, checked against the grammar. */
  private String number() throws IOException, ProtocolException {
    StringBuilder b = new StringBuilder(20);
    int c = peek();
    if (c == '-') {
      b.append('-');
      pos++;
    }
    if (digits(b) == 0) {
      throw malformed("bad number: no digits");
    }
    if (b.charAt(b.charAt(0) == '-' ? 1 : 0) == '0' && b.length() > (b.charAt(0) == '-' ? 2 : 1)) {
      throw malformed("bad number: leading zero");
    }
    if (peek() == '.') {
      b.append('.');
      pos++;
      if (digits(b) == 0) {
        throw malformed("bad number: no digits after '.'");
      }
    }
    c = peek();
    if (c == 'e' || c == 'E') {
      b.append('e');
      pos++;
      c = peek();
      if (c == '+' || c == '-') {
        b.append((char) c);
        pos++;
      }
      if (digits(b) == 0) {
        throw malformed("bad number: no digits in the exponent");
      }
    }
    return b.toString();
  }

  private int digits(StringBuilder b) throws IOException, ProtocolException {
    int n = 0;
    for (int c = peek(); c >= '0' && c <= '9'; c = peek()) {
      if (b.length() >= 400) {
        throw malformed("number too long");
      }
      b.append((char) c);
      pos++;
      n++;
    }
    return n;
  }

  private void literal(String word) throws IOException, ProtocolException {
    for (int i = 0; i < word.length(); i++) {
      int c = peek();
      if (c != word.charAt(i)) {
        throw malformed("expected " + word + ", got " + describe(c));
      }
      pos++;
    }
  }

  /** The rest of a string whose opening quote was consumed, as UTF-8 text. */
  private String string() throws IOException, ProtocolException {
    text.reset();
    for (int c = stringChar(); c != EOF; c = stringChar()) {
      if (text.size() >= MAX_STRING) {
        throw malformed("string longer than " + MAX_STRING + " bytes");
      }
      if (c < 0x80) {
        text.write(c);
      } else if (c <= 0xFF && !escapedChar) {
        text.write(c); // a raw UTF-8 byte
      } else {
        byte[] u = String.valueOf((char) c).getBytes(StandardCharsets.UTF_8);
        text.write(u, 0, u.length);
      }
    }
    return text.toString(StandardCharsets.UTF_8);
  }

  /**
   * The next character of a string: a raw byte, or the char of an escape ({@link #escapedChar} says
   * which); {@link #EOF} at the closing quote.
   */
  private int stringChar() throws IOException, ProtocolException {
    int c = read();
    escapedChar = false;
    if (c == '"') {
      return EOF;
    }
    if (c == EOF) {
      throw malformed("unterminated string");
    }
    if (c < 0x20) {
      throw malformed("control character " + describeChar(c) + " in a string");
    }
    if (c != '\\') {
      return c;
    }
    escapedChar = true;
    int e = read();
    return switch (e) {
      case '"', '\\', '/' -> e;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'u' -> {
        int v = 0;
        for (int i = 0; i < 4; i++) {
          int h = Character.digit(read(), 16);
          if (h < 0) {
            throw malformed("bad \\u escape in a string");
          }
          v = v << 4 | h;
        }
        yield v;
      }
      default -> throw malformed("bad escape " + describeChar(e) + " in a string");
    };
  }

  private void expect(char want, String what) throws IOException, ProtocolException {
    int c = skipSpace();
    if (c != want) {
      throw malformed("expected " + what + ", got " + describe(c));
    }
    pos++;
  }

  /** Skips JSON whitespace; the next byte, not consumed, or {@link #EOF}. */
  private int skipSpace() throws IOException {
    while (true) {
      int c = peek();
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c;
      }
      pos++;
    }
  }

  private int peek() throws IOException {
    if (pos == end && !fill()) {
      return EOF;
    }
    return buf[pos] & 0xFF;
  }

  private int read() throws IOException {
    int c = peek();
    if (c != EOF) {
      pos++;
    }
    return c;
  }

  /** Reads what the input has (blocking only when nothing is buffered); false at its end. */
  private boolean fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    pos = 0;
    end = n;
    return true;
  }

  private ProtocolException malformed(String what) {
    Request r = body;
    if (r != null) {
      return new ProtocolException(where(r) + ": bad body line: " + what);
    }
    return new ProtocolException("request #" + seq + afterId() + ": " + what);
  }

  private String where(Request r) {
    return "request #" + r.seq() + " (ID " + r.id() + ", " + r.command() + ")";
  }

  private String afterId() {
    return lastId < 0 ? " (the first)" : " (after ID " + lastId + ")";
  }

  private static String describe(int c) {
    return c == EOF ? "end of input" : describeChar(c);
  }

  private static String describeChar(int c) {
    return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format(Locale.ROOT, "0x%02X", c);
  }
}
