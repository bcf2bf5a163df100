/*
 * progcache-relay: the GOCACHEPROG program for daemon mode.
 *
 * Connects to the resident progcache daemon's Unix socket, sends a hello (its arguments, the
 * environment variables that choose the cache directory, its pid), then copies bytes both ways:
 * stdin -> socket, socket -> stdout. When no daemon answers it starts one (detached, logging to a
 * file) and retries; if that fails too it execs the one-shot helper (bin/progcache beside this
 * binary), so a build never breaks for want of a daemon.
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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PROGCACHE_BUILD_ID
#define PROGCACHE_BUILD_ID "dev"
#endif

extern char **environ;

/* Variables that choose the cache directory and configuration; every PROGCACHE_* is sent too,
 * and GitHub Actions' id-token request pair (PROGCACHE_OIDC_AUDIENCE needs it). */
static const char *const HELLO_ENV[] = {
    "GOCACHE", "GOENV", "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
    "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", NULL};

static void die(const char *what) {
  fprintf(stderr, "progcache-relay: %s: %s\n", what, strerror(errno));
  exit(1);
}

/* The socket directory: $PROGCACHE_SOCKET_DIR, else $XDG_RUNTIME_DIR/progcache, else
 * /tmp/progcache-<uid>. Created with mode 0700. */
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
  mkdir(out, 0700);
}

static int try_connect(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof sa.sun_path) {
    errno = ENAMETOOLONG;
    close(fd);
    return -1;
  }
  strcpy(sa.sun_path, path);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) return fd;
  close(fd);
  return -1;
}

/* bin/progcache beside this binary. */
static void launcher_path(char *out, size_t n) {
  char self[PATH_MAX - 16];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) die("readlink /proc/self/exe");
  self[len] = 0;
  char *slash = strrchr(self, '/');
  if (slash) *slash = 0;
  snprintf(out, n, "%s/progcache", self);
}

static void start_daemon(const char *launcher, const char *dir) {
  pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    setsid();
    if (fork() != 0) _exit(0); /* the grandchild is re-parented: no zombie for go */
    char log[PATH_MAX + 128];
    snprintf(log, sizeof log, "%s/daemon-%s.log", dir, PROGCACHE_BUILD_ID);
    int in = open("/dev/null", O_RDONLY);
    int lf = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
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

/* hello: "progcache-relay 1\0" "pid=<pid>\0" then "arg=<a>\0"... "env=<K=V>\0"... then "\0". */
static void send_hello(int fd, int argc, char **argv) {
  char buf[64];
  add("progcache-relay 1", 18);
  int n = snprintf(buf, sizeof buf, "pid=%ld", (long)getpid());
  add(buf, (size_t)n + 1);
  for (int i = 1; i < argc; i++) {
    add("arg=", 4);
    add(argv[i], strlen(argv[i]) + 1);
  }
  for (char **e = environ; *e; e++) {
    int send = strncmp(*e, "PROGCACHE_", 10) == 0;
    for (int i = 0; !send && HELLO_ENV[i]; i++) {
      size_t n = strlen(HELLO_ENV[i]);
      send = strncmp(*e, HELLO_ENV[i], n) == 0 && (*e)[n] == '=';
    }
    if (send) {
      add("env=", 4);
      add(*e, strlen(*e) + 1);
    }
  }
  add("", 1);
  write_all(fd, hello, hello_len);
}

static void relay(int sock) {
  char buf[1 << 16];
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
  char dir[PATH_MAX - 256], path[PATH_MAX], launcher[PATH_MAX];
  socket_dir(dir, sizeof dir);
  snprintf(path, sizeof path, "%s/%s.sock", dir, PROGCACHE_BUILD_ID);
  int fd = try_connect(path);
  if (fd < 0) {
    launcher_path(launcher, sizeof launcher);
    start_daemon(launcher, dir);
    struct timespec ts = {0, 2 * 1000 * 1000};
    for (int i = 0; i < 200 && fd < 0; i++) { /* up to ~10 s while the JVM starts */
      nanosleep(&ts, NULL);
      if (ts.tv_nsec < 50 * 1000 * 1000) ts.tv_nsec *= 2;
      fd = try_connect(path);
    }
    if (fd < 0) {
      fprintf(stderr, "progcache-relay: no daemon at %s (log: %s/daemon-%s.log); running the one-shot helper\n",
              path, dir, PROGCACHE_BUILD_ID);
      argv[0] = launcher;
      execv(launcher, argv);
      die("exec the one-shot helper");
    }
  }
  send_hello(fd, argc, argv);
  relay(fd);
  return 0;
}
