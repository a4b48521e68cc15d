/*
 * annexhost-relay: the shell's side of a hand-over (see ShellSocket.java), in C, so that an ssh
 * connection to a running annexhost host costs a millisecond instead of a JVM's start.
 *
 *   annexhost-relay N ARG1 .. ARGN COMMAND...
 *
 * ARG1..ARGN are the shell's own arguments (as `annexhost shell` got them). Each running host of
 * this account is offered them in turn; the first that answers READY gets the conversation, and
 * this process then only copies bytes: stdin to the host, the host's stdout and stderr frames to
 * its own, and exits with the host's exit code. When every host declines, or none runs, nothing
 * of stdin has been read and COMMAND (the JVM's shell) is executed in this process's place.
 *
 * The host decides everything (what the command is, which repository, what is allowed); this
 * side only finds the hosts, checks they are this account's (the directory is private and owned
 * by us, and each peer's credentials are ours), and passes the restrictions of its environment.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAGIC "annexhost-shell 2\n"
enum { STDOUT_FRAME = 1, STDERR_FRAME = 2, EXIT_FRAME = 3, READY = 4, DECLINE = 5 };
#define MAX_FRAME (1 << 24)
#define OFFER_TIMEOUT_MS 10000

/* The variables passed on, as ShellSocket.PASSED_ON. */
static const char *PASSED_ON[] = {
    "GIT_ANNEX_SHELL_READONLY", "GIT_ANNEX_SHELL_APPENDONLY", "GIT_ANNEX_SHELL_LIMITED",
    "GIT_ANNEX_SHELL_DIRECTORY", "HOME", "SSH_ORIGINAL_COMMAND", "SSH_CONNECTION", NULL};

/* A growing byte buffer. */
struct buf {
    char *b;
    size_t len, cap;
};

static void put(struct buf *o, const char *s, size_t n) {
    if (o->len + n > o->cap) {
        o->cap = (o->len + n) * 2 + 256;
        o->b = realloc(o->b, o->cap);
        if (o->b == NULL) {
            _exit(1);
        }
    }
    memcpy(o->b + o->len, s, n);
    o->len += n;
}

static void puts_escaped(struct buf *o, const char *s) {
    for (; *s; s++) {
        if (*s == '%') {
            put(o, "%25", 3);
        } else if (*s == '\n') {
            put(o, "%0A", 3);
        } else if (*s == ' ') {
            put(o, "%20", 3);
        } else {
            put(o, s, 1);
        }
    }
}

static int write_all(int fd, const char *b, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        b += w;
        n -= (size_t) w;
    }
    return 0;
}

/* Reads exactly n bytes, waiting at most timeout_ms in all; 0 on success. */
static int read_exactly(int fd, unsigned char *b, size_t n, int timeout_ms) {
    while (n > 0) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, timeout_ms);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }
        ssize_t got = read(fd, b, n);
        if (got <= 0) {
            if (got < 0 && errno == EINTR) {
                continue;
            }
            return -1;
        }
        b += got;
        n -= (size_t) got;
    }
    return 0;
}

/* The account's socket directory, as ShellSocket.runtimeDir. */
static void runtime_dir(char *out, size_t size) {
    const char *own = getenv("ANNEXHOST_RUNTIME_DIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (own != NULL && *own) {
        snprintf(out, size, "%s", own);
    } else if (xdg != NULL && *xdg) {
        snprintf(out, size, "%s/annexhost", xdg);
    } else {
        struct passwd *pw = getpwuid(getuid());
        snprintf(out, size, "/tmp/annexhost-%s", pw != NULL ? pw->pw_name : "unknown");
    }
}

/* Connects and offers the command; returns the socket if the host took it, else -1. */
static int offer(const char *path, const struct buf *header) {
    struct sockaddr_un addr;
    if (strlen(path) >= sizeof addr.sun_path) {
        return -1;
    }
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    struct ucred cred;
    socklen_t len = sizeof cred;
    unsigned char head[5];
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0
        || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != getuid()
        || write_all(fd, header->b, header->len) != 0
        || read_exactly(fd, head, 5, OFFER_TIMEOUT_MS) != 0 || head[0] != READY
        || head[1] || head[2] || head[3] || head[4]) {
        close(fd);
        return -1;
    }
    return fd;
}

static int find_host(const struct buf *header) {
    char dir[4096];
    runtime_dir(dir, sizeof dir);
    struct stat st;
    /* A directory another account could enter could hold someone else's socket. */
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
        return -1;
    }
    DIR *d = opendir(dir);
    if (d == NULL) {
        return -1;
    }
    int fd = -1;
    struct dirent *e;
    while (fd < 0 && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "host-", 5) != 0 || n < 10 || strcmp(e->d_name + n - 5, ".sock") != 0) {
            continue;
        }
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        fd = offer(path, header);
    }
    closedir(d);
    return fd;
}

/* Copies stdin to the host and the host's frames to stdout and stderr; returns the exit code. */
static int relay(int sock) {
    static unsigned char in[65536], from[65536];
    size_t pending = 0, pending_off = 0; /* stdin bytes not yet written to the host */
    int stdin_open = 1;
    unsigned char head[5];
    size_t head_len = 0;  /* bytes of the current frame's header read so far */
    uint32_t left = 0;    /* payload bytes of the current frame still to come */
    int type = 0;
    unsigned char code[4];
    size_t code_len = 0;
    fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
    for (;;) {
        struct pollfd p[2];
        int n = 0;
        p[n++] = (struct pollfd){sock, (short) (POLLIN | (pending > 0 ? POLLOUT : 0)), 0};
        int stdin_at = -1;
        if (stdin_open && pending == 0) {
            stdin_at = n;
            p[n++] = (struct pollfd){0, POLLIN, 0};
        }
        if (poll(p, (nfds_t) n, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 1;
        }
        if (stdin_at >= 0 && (p[stdin_at].revents & (POLLIN | POLLHUP | POLLERR))) {
            ssize_t r = read(0, in, sizeof in);
            if (r > 0) {
                pending = (size_t) r;
                pending_off = 0;
            } else if (r == 0 || errno != EINTR) {
                stdin_open = 0;
                shutdown(sock, SHUT_WR);
            }
        }
        if (pending > 0 && (p[0].revents & POLLOUT)) {
            ssize_t w = write(sock, in + pending_off, pending);
            if (w > 0) {
                pending -= (size_t) w;
                pending_off += (size_t) w;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                pending = 0; /* the host is gone: its frames say the rest */
                stdin_open = 0;
            }
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = read(sock, from, sizeof from);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                static const char msg[] = "git-annex-shell: the host ended the conversation\n";
                write_all(2, msg, sizeof msg - 1);
                return 1;
            }
            for (ssize_t i = 0; i < r;) {
                if (head_len < 5) {
                    head[head_len++] = from[i++];
                    if (head_len == 5) {
                        type = head[0];
                        left = ((uint32_t) head[1] << 24) | ((uint32_t) head[2] << 16) | ((uint32_t) head[3] << 8) | head[4];
                        if (left > MAX_FRAME || type < STDOUT_FRAME || type > EXIT_FRAME) {
                            static const char msg[] = "git-annex-shell: malformed frame from the host\n";
                            write_all(2, msg, sizeof msg - 1);
                            return 1;
                        }
                        code_len = 0;
                    }
                } else {
                    size_t take = (size_t) (r - i) < left ? (size_t) (r - i) : left;
                    if (type == EXIT_FRAME) {
                        for (size_t k = 0; k < take; k++) {
                            if (code_len < 4) {
                                code[code_len++] = from[i + k];
                            }
                        }
                    } else if (write_all(type == STDOUT_FRAME ? 1 : 2, (const char *) from + i, take) != 0) {
                        return 1; /* the client went away */
                    }
                    i += (ssize_t) take;
                    left -= (uint32_t) take;
                }
                if (head_len == 5 && left == 0) {
                    if (type == EXIT_FRAME) {
                        return code_len == 4 ? (int) (((uint32_t) code[0] << 24) | ((uint32_t) code[1] << 16)
                                                      | ((uint32_t) code[2] << 8) | code[3])
                                             : 1;
                    }
                    head_len = 0;
                }
            }
        }
    }
}

int main(int argc, char **argv) {
    int nargs = argc > 1 ? atoi(argv[1]) : -1;
    if (nargs < 0 || 2 + nargs >= argc) {
        fprintf(stderr, "usage: annexhost-relay N ARG1..ARGN COMMAND...\n");
        return 2;
    }
    char **fallback = argv + 2 + nargs;
    const char *off = getenv("ANNEXHOST_NO_HANDOVER");
    if (off == NULL) {
        struct buf header = {0};
        put(&header, MAGIC, strlen(MAGIC));
        for (int i = 0; i < nargs; i++) {
            put(&header, "arg ", 4);
            puts_escaped(&header, argv[2 + i]);
            put(&header, "\n", 1);
        }
        for (const char **k = PASSED_ON; *k; k++) {
            const char *v = getenv(*k);
            if (v != NULL) {
                put(&header, "env ", 4);
                puts_escaped(&header, *k);
                put(&header, " ", 1);
                puts_escaped(&header, v);
                put(&header, "\n", 1);
            }
        }
        put(&header, "end\n", 4);
        signal(SIGPIPE, SIG_IGN);
        int sock = find_host(&header);
        if (sock >= 0) {
            return relay(sock);
        }
        signal(SIGPIPE, SIG_DFL);
    }
    execvp(fallback[0], fallback);
    fprintf(stderr, "git-annex-shell: cannot run %s: %s\n", fallback[0], strerror(errno));
    return 1;
}
