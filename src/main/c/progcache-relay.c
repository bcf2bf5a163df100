/*
 * progcache-relay: the GOCACHEPROG program for daemon mode.
 *
 * Connects to the resident progcache daemon's Unix socket, sends a hello (its arguments, its
 * working directory, the environment variables that choose the cache directory and the build
 * context, its pid). When stdin and stdout are pipes (as go makes them) the daemon opens them itself
 * and serves go directly while the relay waits; otherwise the relay copies bytes both ways: stdin
 * -> socket, socket -> stdout. When no daemon
 * answers it starts one (detached, logging to a file) and retries; if that fails too it execs the
 * one-shot helper (bin/progcache beside this binary), so a build never breaks for want of a daemon.
 *
 * Trust: the socket directory must be a real directory (not a symbolic link) owned by this user
 * with no group or other permission bits, and the process listening must run as this user
 * (SO_PEERCRED / getpeereid). Nothing of the environment is sent before both checks pass; when one
 * fails the relay says why on stderr and runs the one-shot helper instead.
 *
 * Portable to macOS (getpeereid, _NSGetExecutablePath, 104-byte socket paths); built and tested
 * on Linux only.
 *
 * Build: cc -O2 -DPROGCACHE_BUILD_ID='"..."' -o progcache-relay progcache-relay.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#ifndef PROGCACHE_BUILD_ID
#define PROGCACHE_BUILD_ID "dev"
#endif
#ifndef PROGCACHE_VERSION
#define PROGCACHE_VERSION "dev"
#endif

extern char **environ;

/* Variables the daemon needs besides every PROGCACHE_*: those that choose the cache directory and
 * config file, those that make up the prefetch build context (see cli/BuildContext.java), and
 * GitHub Actions' id-token request pair (PROGCACHE_OIDC_AUDIENCE needs it). */
static const char *const HELLO_ENV[] = {
    "GOCACHE", "GOENV", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GOVERSION", "GOROOT",
    "GOOS", "GOARCH", "GOAMD64", "GOARM", "GOARM64", "GO386", "GORISCV64", "CGO_ENABLED",
    "GOFLAGS", "GOEXPERIMENT", "GO111MODULE", "GOWORK",
    "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", NULL};

/* The helper's flags (cli/HelperConfig.java; RelayFlagsTest keeps the two lists equal). Those
 * marked 1 take a value unless given as --flag=value. */
static const struct {
  const char *name;
  int takes_value;
} FLAGS[] = {
    {"dir", 1},        {"verbose", 0},   {"max-size", 1},   {"max-age", 1},
    {"trim-interval", 1}, {"remote", 1}, {"token-file", 1}, {"oidc-audience", 1},
    {"namespace", 1},  {"s3", 1},        {"read-only", 0},  {"prefetch", 0},
    {"prefetch-key", 1}, {"token", 1},   {"remote-timeout", 1}, {"remote-breaker-failures", 1},
    {"remote-breaker-open", 1}, {"remote-negative-ttl", 1}, {"remote-uploads", 1},
    {"remote-upload-queue", 1}, {"remote-upload-yield", 0},
    {"remote-drain", 1}, {NULL, 0}};

static const char USAGE[] =
    "usage: progcache-relay [helper flags]\n"
    "The GOCACHEPROG program of progcache's daemon mode: go starts it for every go command; it\n"
    "hands the session to the resident progcache daemon (starting one when none runs) and falls\n"
    "back to the one-shot helper when it cannot. The flags are the helper's (progcache --help),\n"
    "e.g. -v, --dir DIR, --remote URL. Usually set up by `progcache setup`.\n"
    "  --start        start the daemon (unless it runs), wait until it answers, and exit: for a\n"
    "                 CI job, run in the background before its first go command\n"
    "  -h, --help     print this help\n"
    "  --version      print the version and build id\n";

/* --start: no session, only a daemon that answers. */
static int start_only;

static void die(const char *what) {
  fprintf(stderr, "progcache-relay: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* Checks the arguments. Help and version print and exit 0. A bad flag (unknown, or missing its
 * value) run from a terminal prints one line and exits 2 without starting anything; when go
 * started the relay (stdin is not a terminal) it is dropped with one line on go's stderr, as the
 * helper does with a bad setting: no configuration problem fails a go command. Returns the new
 * argument count (argv is compacted in place). */
static int check_args(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(USAGE, stdout);
      exit(0);
    }
    if (strcmp(a, "--version") == 0) {
      printf("progcache-relay %s (build %s)\n", PROGCACHE_VERSION, PROGCACHE_BUILD_ID);
      exit(0);
    }
    if (strcmp(a, "--start") == 0) start_only = 1;
  }
  int strict = isatty(0);
  int out = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *problem = NULL;
    int take = 1;
    if (strcmp(a, "--start") == 0) continue;
    if (strcmp(a, "-v") != 0) {
      const char *name = a[0] == '-' ? (a[1] == '-' ? a + 2 : a + 1) : NULL;
      const char *eq = name ? strchr(name, '=') : NULL;
      size_t len = name ? (eq ? (size_t)(eq - name) : strlen(name)) : 0;
      int found = -1;
      for (int f = 0; name && FLAGS[f].name; f++) {
        if (strlen(FLAGS[f].name) == len && strncmp(FLAGS[f].name, name, len) == 0) found = f;
      }
      if (name == NULL || *name == 0) {
        problem = "unexpected argument";
      } else if (found < 0) {
        problem = "unknown flag";
      } else if (FLAGS[found].takes_value && !eq) {
        if (i + 1 < argc) {
          take = 2;
        } else {
          problem = "missing value after";
        }
      }
    }
    if (problem) {
      fprintf(stderr, "progcache-relay: %s %s (see progcache-relay --help)%s\n", problem, a,
              strict ? "" : "; ignored");
      if (strict) exit(2);
      continue;
    }
    for (int k = 0; k < take; k++) argv[out++] = argv[i + k];
    i += take - 1;
  }
  argv[out] = NULL;
  return out;
}

/* The socket directory: $PROGCACHE_SOCKET_DIR, else $XDG_RUNTIME_DIR/progcache, else
 * /tmp/progcache-<uid> (same rules as daemon/SocketPaths.java). */
static void socket_dir(char *out, size_t n) {
  const char *d = getenv("PROGCACHE_SOCKET_DIR");
  const char *rt = getenv("XDG_RUNTIME_DIR");
  if (d && *d) {
    snprintf(out, n, "%s", d);
  } else if (rt && *rt) {
    snprintf(out, n, "%s/progcache", rt);
  } else {
    snprintf(out, n, "/tmp/progcache-%u", (unsigned)getuid());
  }
}

/* Opens the socket directory, creating it (mode 0700) when missing, and checks that it is a real
 * directory of this user that nobody else may enter. Returns its descriptor, or -1 with a reason
 * in `why`. */
static int open_private_dir(const char *dir, char *why, size_t n) {
  if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
    snprintf(why, n, "cannot create it (%s)", strerror(errno));
    return -1;
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) {
      struct stat l;
      int link = lstat(dir, &l) == 0 && S_ISLNK(l.st_mode);
      snprintf(why, n, "%s", link ? "a symbolic link" : "not a directory");
    } else {
      snprintf(why, n, "cannot open it (%s)", strerror(errno));
    }
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(why, n, "cannot stat it (%s)", strerror(errno));
  } else if (!S_ISDIR(st.st_mode)) {
    snprintf(why, n, "not a directory");
  } else if (st.st_uid != getuid()) {
    snprintf(why, n, "owned by uid %u, not by you (uid %u)", (unsigned)st.st_uid,
             (unsigned)getuid());
  } else if ((st.st_mode & 077) != 0) {
    snprintf(why, n, "open to other users (mode %03o; it must be 0700)",
             (unsigned)(st.st_mode & 0777));
  } else {
    return fd;
  }
  close(fd);
  return -1;
}

/* The uid of the process at the other end of a connected Unix socket, or -1. */
static long peer_uid(int fd) {
#ifdef __linux__
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) return (long)cred.uid;
#else
  uid_t uid;
  gid_t gid;
  if (getpeereid(fd, &uid, &gid) == 0) return (long)uid;
#endif
  return -1;
}

/* Connects to `name` inside the directory open as `dirfd` without resolving the directory's path
 * again (it was checked through that descriptor). 0: connected (*out set); -1: nothing listens;
 * -2: something listens as another user (closed). */
static int try_connect(int dirfd, const char *name, int *out) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  int ok;
#ifdef __linux__
  snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dirfd, name);
  ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
#else
  /* no /proc: connect relative to the directory, then come back */
  int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", name);
  ok = here >= 0 && fchdir(dirfd) == 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
  if (here >= 0) {
    if (fchdir(here) != 0) die("fchdir back to the working directory");
    close(here);
  }
#endif
  if (!ok) {
    close(fd);
    return -1;
  }
  if (peer_uid(fd) != (long)getuid()) {
    close(fd);
    return -2;
  }
  *out = fd;
  return 0;
}

/* The one-shot launcher: bin/progcache of the install this relay belongs to. That is the
 * directory named in a file progcache-relay.install beside this binary when there is one (the
 * stable copy `progcache setup` installs), else the directory of this binary. When the install is
 * gone the relay says what to run and exits. */
static void launcher_path(char *out, size_t n) {
  char self[PATH_MAX - 32];
#ifdef __APPLE__
  uint32_t size = sizeof self;
  char raw[PATH_MAX], full[PATH_MAX];
  if (_NSGetExecutablePath(raw, &size) != 0 || !realpath(raw, full)) die("find this program");
  snprintf(self, sizeof self, "%s", full);
#else
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) die("readlink /proc/self/exe");
  self[len] = 0;
#endif
  char *slash = strrchr(self, '/');
  if (slash) *slash = 0;
  char marker[PATH_MAX], bin[PATH_MAX - 32];
  snprintf(marker, sizeof marker, "%s/progcache-relay.install", self);
  int fd = open(marker, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(out, n, "%s/progcache", self);
    return;
  }
  ssize_t r = read(fd, bin, sizeof bin - 1);
  close(fd);
  if (r <= 0) r = 0;
  bin[r] = 0;
  bin[strcspn(bin, "\n")] = 0;
  snprintf(out, n, "%s/progcache", bin);
  if (access(out, X_OK) != 0) {
    fprintf(stderr,
            "progcache-relay: the progcache install this relay belongs to is gone (%s is"
            " missing): run `progcache setup` from the progcache you use now, or"
            " `go env -u GOCACHEPROG` to go back to go's own cache\n",
            out);
    exit(1);
  }
}

/* Starts `progcache daemon run`, detached, its output appended to its log in the directory. */
static void start_daemon(const char *launcher, int dirfd) {
  pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    setsid();
    if (fork() != 0) _exit(0); /* the grandchild is re-parented: no zombie for go */
    char log[128];
    snprintf(log, sizeof log, "daemon-%s.log", PROGCACHE_BUILD_ID);
    int in = open("/dev/null", O_RDONLY);
    int lf = openat(dirfd, log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);
    if (in >= 0) dup2(in, 0);
    if (lf >= 0) {
      dup2(lf, 1);
      dup2(lf, 2);
    }
    execl(launcher, launcher, "daemon", "run", (char *)NULL);
    _exit(127);
  }
  waitpid(pid, NULL, 0);
}

static void one_shot(const char *launcher, char **argv) {
  argv[0] = (char *)launcher;
  execv(launcher, argv);
  die("exec the one-shot helper");
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("write");
    }
    p += w;
    n -= (size_t)w;
  }
}

/* The hello is sent in one write: the daemon reads it before anything else. */
static char hello[64 * 1024];
static size_t hello_len;

static void add(const char *p, size_t n) {
  if (n > sizeof hello - hello_len) {
    fprintf(stderr, "progcache-relay: arguments and environment too long for the hello\n");
    exit(2);
  }
  memcpy(hello + hello_len, p, n);
  hello_len += n;
}

/* hello: "progcache-relay 1\0" "pid=<pid>\0" ["direct=1\0"] "cwd=<dir>\0" then "arg=<a>\0"...
 * "env=<K=V>\0"... then "\0". direct=1 offers the daemon go's pipes (see wait_for_daemon). */
static void send_hello(int fd, int argc, char **argv, int direct) {
  char buf[64];
  add("progcache-relay 1", 18);
  int n = snprintf(buf, sizeof buf, "pid=%ld", (long)getpid());
  add(buf, (size_t)n + 1);
  if (direct) add("direct=1", 9);
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd)) {
    add("cwd=", 4);
    add(cwd, strlen(cwd) + 1);
  }
  for (int i = 1; i < argc; i++) {
    add("arg=", 4);
    add(argv[i], strlen(argv[i]) + 1);
  }
  for (char **e = environ; *e; e++) {
    int send = strncmp(*e, "PROGCACHE_", 10) == 0;
    for (int i = 0; !send && HELLO_ENV[i]; i++) {
      size_t k = strlen(HELLO_ENV[i]);
      send = strncmp(*e, HELLO_ENV[i], k) == 0 && (*e)[k] == '=';
    }
    if (send) {
      add("env=", 4);
      add(*e, strlen(*e) + 1);
    }
  }
  add("", 1);
  write_all(fd, hello, hello_len);
}

/* Whether fd is a pipe: go's stdin and stdout are, and then the daemon can open them itself. */
static int is_pipe(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

/* The daemon opened go's pipes (/proc/<our pid>/fd/0 and 1) and serves go on them directly: this
 * process copies nothing, lets go of its own ends and exits when the daemon closes the session (a
 * daemon that dies closes it too). */
static void wait_for_daemon(int sock) {
  close(0);
  close(1);
  char buf[256];
  for (;;) {
    ssize_t r = read(sock, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
  }
}

/* The daemon's first byte after a hello that offered the pipes: 'D' when it took them; anything
 * else is the start of go's protocol, which is then relayed. Returns 1 when the session is over. */
static int direct_session(int sock) {
  char c;
  ssize_t r;
  do {
    r = read(sock, &c, 1);
  } while (r < 0 && errno == EINTR);
  if (r <= 0) return 1; /* the daemon ended the session before it began */
  if (c == 'D') {
    wait_for_daemon(sock);
    return 1;
  }
  write_all(1, &c, 1);
  return 0;
}

static void relay(int sock) {
  static char buf[1 << 16];
  int in_open = 1;
  struct pollfd p[2];
  for (;;) {
    p[0].fd = in_open ? 0 : -1;
    p[0].events = POLLIN;
    p[1].fd = sock;
    p[1].events = POLLIN;
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (p[1].revents) {
      ssize_t r = read(sock, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break; /* daemon closed the session: we are done */
      write_all(1, buf, (size_t)r);
    }
    if (in_open && p[0].revents) {
      ssize_t r = read(0, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        in_open = 0;
        shutdown(sock, SHUT_WR); /* go closed stdin: the daemon sees EOF */
      } else {
        write_all(sock, buf, (size_t)r);
      }
    }
  }
  close(1);
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  argc = check_args(argc, argv);
  char dir[PATH_MAX], why[256], launcher[PATH_MAX], name[64];
  socket_dir(dir, sizeof dir);
  snprintf(name, sizeof name, "%s.sock", PROGCACHE_BUILD_ID);
  int dirfd = open_private_dir(dir, why, sizeof why);
  if (dirfd < 0 && start_only) {
    fprintf(stderr, "progcache-relay: no daemon started: its socket directory %s is %s\n", dir, why);
    return 1;
  }
  if (dirfd < 0) {
    launcher_path(launcher, sizeof launcher);
    fprintf(stderr,
            "progcache-relay: not using the daemon: its socket directory %s is %s; running the"
            " one-shot helper (fix: remove it, or set PROGCACHE_SOCKET_DIR to a directory of"
            " yours with mode 0700)\n",
            dir, why);
    one_shot(launcher, argv);
  }
  int fd = -1;
  int r = try_connect(dirfd, name, &fd);
  if (r != 0) launcher_path(launcher, sizeof launcher);
  if (r == -1) {
    start_daemon(launcher, dirfd);
    /* Up to ~10 s while the JVM starts, trying every 4 ms: go waits for this, and a failed connect
     * costs microseconds (doubling the wait up to 64 ms cost the first go command up to 60 ms
     * after the daemon was ready). */
    struct timespec ts = {0, 1000 * 1000};
    for (int i = 0; i < 2500 && r == -1; i++) {
      nanosleep(&ts, NULL);
      if (ts.tv_nsec < 4 * 1000 * 1000) ts.tv_nsec *= 2;
      r = try_connect(dirfd, name, &fd);
    }
  }
  if (start_only) {
    if (r != 0) {
      fprintf(stderr, "progcache-relay: no daemon started: %s/%s %s\n", dir, name,
              r == -2 ? "is served by another user" : "does not answer (log: daemon-*.log there)");
      return 1;
    }
    /* a status request: the daemon answers it without counting a session or activity */
    static const char status[] = "progcache-ctl 1\0cmd=status\0\0";
    write_all(fd, status, sizeof status - 1);
    char buf[512];
    while (read(fd, buf, sizeof buf) > 0) {
    }
    return 0;
  }
  if (r == -2) {
    fprintf(stderr,
            "progcache-relay: not using the daemon: %s/%s is served by another user; running the"
            " one-shot helper\n",
            dir, name);
    one_shot(launcher, argv);
  }
  if (r != 0) {
    fprintf(stderr,
            "progcache-relay: no daemon at %s/%s (log: %s/daemon-%s.log); running the one-shot"
            " helper\n",
            dir, name, dir, PROGCACHE_BUILD_ID);
    one_shot(launcher, argv);
  }
  close(dirfd);
  int direct = is_pipe(0) && is_pipe(1);
  send_hello(fd, argc, argv, direct);
  if (direct && direct_session(fd)) return 0;
  relay(fd);
  return 0;
}
