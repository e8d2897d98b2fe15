/*
 * carton_spawn.c: the lines between clone and execve, the only place Carton runs no managed code.
 *
 * Why native at all (design.md §2): a child cloned from a .NET process must not run managed code.
 * The runtime may stop it at a GC poll waiting for threads that do not exist in the child. Why
 * CLONE_VM|CLONE_VFORK: copying the address space of a managed heap costs tens of milliseconds, sharing
 * it costs nothing, and vfork semantics make the call synchronous: when carton_spawn() returns, the
 * final child has exec'd or failed, and its result is already in *req (shared memory).
 *
 * The shape of a spawn:
 *   caller --clone(VM|VFORK)--> child1: setns() into every namespace to join, in order.
 *     When no user or pid namespace is to be created or joined, child1 itself unshares the rest
 *     and execs.
 *     Otherwise child1 clones the final child with CLONE_PARENT (so it is the caller's child) and
 *     CLONE_NEWUSER / CLONE_NEWPID: a pid namespace only applies to children of the one who enters
 *     it, and a new user namespace must be given its uid/gid maps by a process outside it while
 *     the child waits (runc's nsexec does the same dance). child1 writes the maps, releases the
 *     child, waits for its exec (a CLOEXEC pipe closes), and exits.
 *
 * Everything here is async-signal-safe: no allocation, no stdio, no locks. Signals are blocked
 * in the caller's thread across clone() so no .NET handler can run on a child's stack, and the
 * child resets every disposition to default before exec.
 *
 * errno is not to be trusted across children: without CLONE_SETTLS they share the caller thread's TLS, so errno
 * is one variable that child1, the final child and a map helper's vfork child all write. Every failure is recorded
 * with the errno its own call just set, read on the spot (or an explicit value), never a later errno.
 */
#define _GNU_SOURCE
#include "carton_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>

#define CHILD_STACK_SIZE (128 * 1024)
#define MAX_DUPS 64

struct spawn_ctx {
    struct carton_spawn_req *req;
    char *stack2_top;   /* stack of the final child when child1 clones it */
    int sync_pipe[2];   /* child1 -> final child: "the maps are written" */
    int done_pipe[2];   /* final child -> child1: closed on exec (CLOEXEC) */
};

/* err: the errno of the call that failed, read right after it (see the top of this file). */
static void record_failure(struct carton_spawn_req *req, int step, int index, int err)
{
    /* First failure wins: a later cleanup step must not overwrite the root cause. */
    if (req->err_step == CARTON_STEP_NONE) {
        req->err_step = step;
        req->err_errno = err;
        req->err_index = index;
    }
}

/* Writes a NUL-terminated string to a file in one write(2), as /proc/<pid>/uid_map requires. Returns 0 or an errno. */
static int write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    size_t len = strlen(data);
    ssize_t n = write(fd, data, len);
    int err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
    close(fd);
    return err;
}

/* "/proc/" + pid + "/" + name into buf, without snprintf (not async-signal-safe). */
static void proc_path(char *buf, int pid, const char *name)
{
    char digits[16];
    int n = 0;
    do {
        digits[n++] = (char)('0' + pid % 10);
        pid /= 10;
    } while (pid > 0);
    char *p = buf;
    memcpy(p, "/proc/", 6);
    p += 6;
    while (n > 0)
        *p++ = digits[--n];
    *p++ = '/';
    size_t len = strlen(name);
    memcpy(p, name, len + 1);
}

static void reset_signals(void);

/* Runs "helper <pid> <fields of map...>" (newuidmap/newgidmap) and waits for it. No allocation: the map is copied
 * to a local buffer and split in place. Returns 0 when the helper exited 0, else an errno (EPERM when it failed). */
static int run_map_helper(const char *helper, int pid, const char *map)
{
    char buf[4096];
    char pidbuf[24];
    char *argv[130];
    size_t len = strlen(map);
    if (len >= sizeof buf)
        return E2BIG;
    memcpy(buf, map, len + 1);
    proc_path(pidbuf, pid, ""); /* "/proc/<pid>/": take the digits */
    char *digits = pidbuf + 6;
    digits[strlen(digits) - 1] = 0;
    int argc = 0;
    argv[argc++] = (char *)helper;
    argv[argc++] = digits;
    for (char *p = buf; *p != 0 && argc < 129;) {
        while (*p == ' ' || *p == '\n' || *p == '\t')
            *p++ = 0;
        if (*p == 0)
            break;
        argv[argc++] = p;
        while (*p != 0 && *p != ' ' && *p != '\n' && *p != '\t')
            p++;
    }
    argv[argc] = NULL;
    char *envp[] = {NULL};
    int child = vfork();
    if (child < 0)
        return errno;
    if (child == 0) {
        /* child1 runs with every signal blocked and the caller's (.NET's) dispositions: the helper gets the
         * defaults and an empty mask, as any program expects (its own handlers, SIGPIPE, SIGTERM). */
        reset_signals();
        execve(helper, argv, envp);
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR)
            return errno;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EPERM;
}

static void reset_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        (void)sigaction(sig, &sa, NULL); /* EINVAL for libc-reserved signals is expected */
    }
    sigset_t empty;
    sigemptyset(&empty);
    (void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

/*
 * dup_src[i] -> dup_dst[i] as one parallel assignment: every target ends up with what its source was when the spawn
 * began, whatever the order. Done one by one, (4->1),(1->2) would give 2 the new 1 (a copy of 4), not the old one.
 * So every source is first copied above every fd the table names (F_DUPFD_CLOEXEC), where no dup2 can clobber it,
 * then dup2'd onto its target (which clears FD_CLOEXEC there). A source equal to its target just loses FD_CLOEXEC.
 */
static int apply_dups(struct carton_spawn_req *req)
{
    int moved[MAX_DUPS];
    int above = 0;
    if (req->dup_count > MAX_DUPS) {
        record_failure(req, CARTON_STEP_FDS, MAX_DUPS, E2BIG);
        return -1;
    }
    for (int i = 0; i < req->dup_count; i++) {
        if (req->dup_src[i] >= above)
            above = req->dup_src[i] + 1;
        if (req->dup_dst[i] >= above)
            above = req->dup_dst[i] + 1;
    }
    for (int i = 0; i < req->dup_count; i++) {
        moved[i] = fcntl(req->dup_src[i], F_DUPFD_CLOEXEC, above);
        if (moved[i] < 0) {
            record_failure(req, CARTON_STEP_FDS, i, errno);
            return -1;
        }
    }
    for (int i = 0; i < req->dup_count; i++) {
        if (dup2(moved[i], req->dup_dst[i]) < 0) {
            record_failure(req, CARTON_STEP_FDS, i, errno);
            return -1;
        }
    }
    for (int i = 0; i < req->dup_count; i++)
        close(moved[i]);
    return 0;
}

/* Runs in the process that execs. Returns only on failure (recorded in req). */
static void final_exec(struct carton_spawn_req *req)
{
    int flags = req->new_ns_flags & ~(CLONE_NEWUSER | CLONE_NEWPID);
    if (flags != 0 && unshare(flags) < 0) {
        record_failure(req, CARTON_STEP_UNSHARE, 0, errno);
        return;
    }
    if (apply_dups(req) < 0)
        return;
    for (int i = 0; i < req->keep_count; i++) {
        if (fcntl(req->keep_fds[i], F_SETFD, 0) < 0) {
            record_failure(req, CARTON_STEP_FDS, req->dup_count + i, errno);
            return;
        }
    }
    if (req->setsid && setsid() < 0) {
        record_failure(req, CARTON_STEP_SETSID, 0, errno);
        return;
    }
    if (req->cwd != NULL && chdir(req->cwd) < 0) {
        record_failure(req, CARTON_STEP_CHDIR, 0, errno);
        return;
    }
    reset_signals();
    if (req->exec_fd >= 0)
        syscall(SYS_execveat, req->exec_fd, "", req->argv, req->envp, AT_EMPTY_PATH);
    else
        execve(req->path, req->argv, req->envp);
    record_failure(req, CARTON_STEP_EXEC, 0, errno);
}

static int final_child_main(void *arg)
{
    struct spawn_ctx *ctx = arg;
    struct carton_spawn_req *req = ctx->req;
    if (req->new_ns_flags & CLONE_NEWUSER) {
        char go;
        close(ctx->sync_pipe[1]);
        close(ctx->done_pipe[0]);
        /* EOF instead of a byte means child1 failed to write the maps and already said why. */
        ssize_t n = read(ctx->sync_pipe[0], &go, 1);
        if (n != 1) {
            record_failure(req, CARTON_STEP_USERNS_SYNC, 0, n < 0 ? errno : EPIPE);
            _exit(127);
        }
        /* Become root of the new namespace so that exec keeps the namespace's full capabilities. */
        if (!req->setgroups_deny && syscall(SYS_setgroups, 0, NULL) < 0) {
            record_failure(req, CARTON_STEP_SETID, 0, errno);
            _exit(127);
        }
        if (syscall(SYS_setresgid, 0, 0, 0) < 0 || syscall(SYS_setresuid, 0, 0, 0) < 0) {
            record_failure(req, CARTON_STEP_SETID, 1, errno);
            _exit(127);
        }
    }
    final_exec(req);
    _exit(127);
}

static int child1_main(void *arg)
{
    struct spawn_ctx *ctx = arg;
    struct carton_spawn_req *req = ctx->req;

    for (int i = 0; i < req->join_count; i++) {
        if (setns(req->join_fds[i], req->join_types[i]) < 0) {
            record_failure(req, CARTON_STEP_SETNS, i, errno);
            _exit(127);
        }
    }

    int second = req->new_ns_flags & (CLONE_NEWUSER | CLONE_NEWPID);
    if (!second && !req->joined_pid_ns) {
        req->pid = (int32_t)getpid();
        final_exec(req);
        _exit(127);
    }

    int userns = req->new_ns_flags & CLONE_NEWUSER;
    if (userns && (pipe2(ctx->sync_pipe, O_CLOEXEC) < 0 || pipe2(ctx->done_pipe, O_CLOEXEC) < 0)) {
        record_failure(req, CARTON_STEP_PIPE, 0, errno);
        _exit(127);
    }
    /* Without a user namespace nothing needs to happen between clone and exec here, so vfork
     * semantics apply again; with one, child1 must run to write the maps. */
    int flags = CLONE_VM | CLONE_PARENT | SIGCHLD | second | (userns ? 0 : CLONE_VFORK);
    int pid = clone(final_child_main, ctx->stack2_top, flags, ctx);
    if (pid < 0) {
        record_failure(req, CARTON_STEP_CLONE, 1, errno);
        _exit(127);
    }
    req->pid = pid;
    if (userns) {
        char path[64];
        char ignored;
        int err;
        close(ctx->sync_pipe[0]);
        close(ctx->done_pipe[1]);
        /* On a failure here child1 exits: that closes sync_pipe[1], the final child reads EOF and exits, and the
         * caller waits for it before it unmaps the stacks (carton_spawn). */
        proc_path(path, pid, "setgroups");
        if (req->setgroups_deny && (err = write_file(path, "deny")) != 0) {
            record_failure(req, CARTON_STEP_USERNS_MAP, 0, err);
            _exit(127);
        }
        proc_path(path, pid, "uid_map");
        if (req->uid_map != NULL &&
            (err = req->uidmap_helper != NULL ? run_map_helper(req->uidmap_helper, pid, req->uid_map)
                                              : write_file(path, req->uid_map)) != 0) {
            record_failure(req, CARTON_STEP_USERNS_MAP, 1, err);
            _exit(127);
        }
        proc_path(path, pid, "gid_map");
        if (req->gid_map != NULL &&
            (err = req->gidmap_helper != NULL ? run_map_helper(req->gidmap_helper, pid, req->gid_map)
                                              : write_file(path, req->gid_map)) != 0) {
            record_failure(req, CARTON_STEP_USERNS_MAP, 2, err);
            _exit(127);
        }
        if (write(ctx->sync_pipe[1], "1", 1) != 1) {
            record_failure(req, CARTON_STEP_USERNS_SYNC, 1, errno);
            _exit(127);
        }
        /* Returns 0 (EOF) once the child has exec'd or exited. */
        while (read(ctx->done_pipe[0], &ignored, 1) < 0 && errno == EINTR) {
        }
    }
    _exit(0);
}

int carton_spawn(struct carton_spawn_req *req)
{
    req->pid = 0;
    req->intermediate_pid = 0;
    req->err_step = CARTON_STEP_NONE;
    req->err_errno = 0;
    req->err_index = 0;

    char *stacks = mmap(NULL, 2 * CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stacks == MAP_FAILED) {
        record_failure(req, CARTON_STEP_CLONE, 0, errno);
        return -1;
    }
    struct spawn_ctx ctx = {
        .req = req,
        .stack2_top = stacks + 2 * CHILD_STACK_SIZE,
        .sync_pipe = {-1, -1},
        .done_pipe = {-1, -1},
    };

    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int pid = clone(child1_main, stacks + CHILD_STACK_SIZE, CLONE_VM | CLONE_VFORK | SIGCHLD, &ctx);
    int clone_errno = errno;
    /*
     * child1 has exited (or exec'd). A final child it cloned without CLONE_VFORK (a new user namespace) may still
     * run on the second stack when the spawn failed: child1 gave up writing the maps and exited, and the final
     * child is only now reading EOF. Unmapping that stack under it (or reusing the memory) would let it fault or
     * write into whatever is mapped there next. It is our child (CLONE_PARENT) and never exec'd on a failed spawn:
     * kill it and wait until it has exited, leaving it to be reaped (WNOWAIT) by the caller, which owns its pid.
     */
    if (pid > 0 && req->err_step != CARTON_STEP_NONE && req->pid > 0 && req->pid != pid) {
        siginfo_t info;
        kill(req->pid, SIGKILL);
        while (waitid(P_PID, (id_t)req->pid, &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stacks, 2 * CHILD_STACK_SIZE);

    if (pid < 0) {
        record_failure(req, CARTON_STEP_CLONE, 0, clone_errno);
        return -1;
    }
    if (req->pid == 0)
        req->pid = pid; /* child1 failed before deciding: it is the one to reap */
    else if (req->pid != pid)
        req->intermediate_pid = pid;
    return req->err_step == CARTON_STEP_NONE ? 0 : -1;
}

/*
 * Every carton init (`carton init` for create and for exec: the init channel fd is in its environment) is made
 * non-dumpable here, at its first instruction, before the .NET runtime starts. An exec init has already joined the
 * container's namespaces and holds host fds: while dumpable, a process of the container running as the same user
 * could ptrace it or open /proc/<pid>/fd and reach them (design.md §3 item 2, CVE-2024-21626's class). The managed
 * init sets it again (and checks) later; the kernel makes the user's process dumpable again at its execve.
 */
#define CARTON_INIT_ENV "_CARTON_INIT_FD" /* Carton.Runtime.ContainerInit.ChannelEnv */

/*
 * `carton exec` must end up in the container's mount namespace, but the init it starts is carton itself, a
 * dynamically linked program: exec'd after joining that namespace, the kernel would look for its ELF interpreter
 * (/lib64/ld-linux-x86-64.so.2) inside the container's rootfs. So the spawn helper joins every namespace but the
 * mount one, and this constructor joins that one after exec, before the .NET runtime starts its threads (setns
 * into a mount namespace requires a single-threaded caller). runc's nsexec runs at the same point for the same
 * reason. A failure is left in the environment for the managed init to report over its channel.
 */
__attribute__((constructor)) static void carton_init_early(void)
{
    if (getenv(CARTON_INIT_ENV) != NULL)
        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); /* cannot fail for 0 */
    const char *value = getenv("_CARTON_MNTNS_FD");
    if (value == NULL)
        return;
    int fd = atoi(value);
    if (setns(fd, CLONE_NEWNS) < 0) {
        char digits[16];
        int n = errno, i = sizeof digits - 1;
        digits[i] = 0;
        do {
            digits[--i] = (char)('0' + n % 10);
            n /= 10;
        } while (n > 0 && i > 0);
        setenv("_CARTON_MNTNS_ERRNO", &digits[i], 1);
    }
    close(fd);
    unsetenv("_CARTON_MNTNS_FD");
}
