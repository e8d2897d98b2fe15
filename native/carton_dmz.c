/*
 * carton_dmz.c: the container's init until it execs the user's process. A small static program (musl) that runs
 * a setup plan compiled by carton (C#) from config.json: it never parses JSON and takes no decision of its own;
 * every branch here is an operand or a flag of the plan (carton_plan.h, docs/architecture.md "The setup plan").
 *
 * Why a separate program (issue 14, runc-dmz is the precedent): no .NET runtime starts inside the container, the
 * carton binary is never the container's /proc/PID/exe (CVE-2019-5736), and the init's memory is this program's
 * few hundred kilobytes, not a managed heap.
 *
 * Usage: carton-dmz SYNC_FD [dumpable]. The plan arrives on SYNC_FD (a header, then the rest); reports go back on it as
 * carton_plan_report records. On a failure before READY the executor reports (op index, errno) and exits 1; C#
 * maps the index to the config's JSON path. After READY the parent is gone: the op's own message (written by C#
 * into the plan) is printed to stderr with the errno's text.
 */
#define _GNU_SOURCE
#include "carton_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CHECK_FAILED (-1) /* an op's result when a verification did not hold (reported as errno 0) */

/* Kernel ABI the libc headers may lack. */
struct open_how_k { uint64_t flags, mode, resolve; };
struct mount_attr_k { uint64_t attr_set, attr_clr, propagation, userns_fd; };
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define OPEN_TREE_CLONE 1
#define MOVE_MOUNT_F_EMPTY_PATH 0x04
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define MOUNT_ATTR_RDONLY 0x1
#define PROC_SUPER_MAGIC_K 0x9fa0

static char *plan;        /* the data section: strings, lists, blobs */
static uint32_t plan_size; /* its length */
static int slots[CARTON_PLAN_SLOTS];
static int sync_fd = -1;
static int ready;              /* READY sent: failures go to stderr, the parent is gone */
static const char *exec_path;  /* chosen by FIND_EXEC */
static int chdir_failed;       /* errno of a CHDIR F_TRY */

static const char *str(int64_t off) { return off > 0 && off < plan_size ? plan + off : NULL; }

static int fd_of(int64_t s) { return s >= 0 && s < CARTON_PLAN_SLOTS ? slots[s] : AT_FDCWD; }

static void set_slot(int64_t s, int fd)
{
    if (s >= 0 && s < CARTON_PLAN_SLOTS)
        slots[s] = fd;
}

/* A list of strings as a NULL-terminated array (allocated once; this process execs or exits soon). */
static char **list(int64_t off, uint32_t *count)
{
    uint32_t n = 0;
    if (off > 0 && off + 4 <= plan_size)
        memcpy(&n, plan + off, 4);
    if (off <= 0 || n > (plan_size - off) / 4)
        n = 0;
    char **v = calloc(n + 1, sizeof *v);
    for (uint32_t i = 0; v && i < n; i++) {
        uint32_t s;
        memcpy(&s, plan + off + 4 + 4 * i, 4);
        v[i] = (char *)str(s);
    }
    if (count)
        *count = n;
    return v;
}

/* "/proc/self/fd/N": how a path-taking syscall reaches the object behind an fd. */
static const char *fd_path(int fd, char *buf)
{
    char digits[12];
    int n = 0;
    do digits[n++] = (char)('0' + fd % 10); while ((fd /= 10) > 0);
    memcpy(buf, "/proc/self/fd/", 14);
    char *p = buf + 14;
    while (n > 0)
        *p++ = digits[--n];
    *p = 0;
    return buf;
}

static int openat2_k(int dir, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
    struct open_how_k how = {flags | O_CLOEXEC, mode, resolve};
    int fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof how);
    return fd >= 0 ? fd : -errno;
}

/* An fd (O_PATH unless flags say otherwise) for path inside the root: never leaves it (design.md §3 item 3). */
static int open_in_root(int root, const char *path, int flags)
{
    while (*path == '/')
        path++;
    return openat2_k(root, *path ? path : ".", (uint64_t)flags, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

/* Lexical normalisation of "a/./b/../c" into out (absolute, ".." clamped at the root). */
static void lexical(const char *in, char *out)
{
    size_t len = 0;
    out[len] = 0;
    while (*in) {
        while (*in == '/')
            in++;
        const char *end = strchrnul(in, '/');
        size_t n = (size_t)(end - in);
        if (n == 0 || (n == 1 && in[0] == '.')) {
        } else if (n == 2 && in[0] == '.' && in[1] == '.') {
            while (len > 0 && out[len] != '/')
                len--;
            out[len] = 0;
        } else if (len + n + 2 < PATH_MAX) {
            out[len++] = '/';
            memcpy(out + len, in, n);
            len += n;
            out[len] = 0;
        }
        in = end;
    }
    if (len == 0)
        strcpy(out, "/");
}

/* SecurePath.OpenOrCreate's rule: open path in the root, creating missing directories (the last component a file
 * when last_file) one at a time under a parent resolved in the root; a dangling symlink's target is created
 * instead, inside the root. Returns an O_PATH fd or -errno. */
static int open_create(int root, const char *path, int last_file, int depth)
{
    int fd = open_in_root(root, path, O_PATH);
    if (fd != -ENOENT)
        return fd;
    if (depth > 40)
        return -ELOOP;
    char buf[PATH_MAX];
    lexical(path, buf);
    int parent = dup(root);
    if (parent < 0)
        return -errno;
    for (char *p = buf + 1; *p;) {
        char *end = strchrnul(p, '/');
        int last = *end == 0;
        char saved = *end;
        *end = 0;
        int next = open_in_root(root, buf, O_PATH);
        if (next == -ENOENT) {
            int rc = last && last_file
                ? openat(parent, p, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644)
                : mkdirat(parent, p, 0755);
            if (rc < 0 && errno != EEXIST) {
                rc = errno;
                close(parent);
                return -rc;
            }
            if (rc >= 0 && last && last_file)
                close(rc);
            next = open_in_root(root, buf, O_PATH);
            char target[PATH_MAX];
            ssize_t n = next == -ENOENT ? readlinkat(parent, p, target, sizeof target - 1) : -1;
            if (n > 0) {
                /* A dangling symlink: create what it points to, taken inside the root (runc's securejoin). */
                target[n] = 0;
                char joined[2 * PATH_MAX + 2], redirected[PATH_MAX];
                *p = 0; /* buf is now the parent directory, with a trailing '/' */
                strcpy(joined, target[0] == '/' ? "" : buf);
                strcat(joined, target);
                if (!last) {
                    strcat(joined, "/");
                    strcat(joined, end + 1);
                }
                lexical(joined, redirected);
                close(parent);
                return open_create(root, redirected, last_file, depth + 1);
            }
        }
        if (next < 0) {
            close(parent);
            return next;
        }
        close(parent);
        parent = next;
        *end = saved;
        p = last ? end : end + 1;
    }
    return parent;
}

static int fstatfs_type(int fd, long *type)
{
    struct statfs sfs;
    if (fstatfs(fd, &sfs) < 0)
        return errno;
    *type = (long)sfs.f_type;
    return 0;
}

/* A clone (open_tree) of the object behind src attached on the one behind dst: no path is resolved. */
static int bind_fd(int src, int dst, int recursive)
{
    int tree = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
    if (tree < 0)
        return errno;
    int rc = (int)syscall(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    int err = rc < 0 ? errno : 0;
    close(tree);
    return err;
}

/* A fresh read-only tmpfs (with an SELinux context when given) attached on the object behind dst, by fd. */
static int tmpfs_fd(int dst, const char *context)
{
    int fs = (int)syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);
    if (fs < 0)
        return errno;
    int err = 0, mnt = -1;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
        syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0 ||
        (context && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "context", context, 0) < 0) ||
        syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
        (mnt = (int)syscall(SYS_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, MOUNT_ATTR_RDONLY)) < 0 ||
        syscall(SYS_move_mount, mnt, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        err = errno;
    close(fs);
    if (mnt >= 0)
        close(mnt);
    return err;
}

/* linux.maskedPaths[i]: a read-only tmpfs over a directory, the container's /dev/null (checked to be 1:3, not
 * something planted: CVE-2025-31133) over anything else; a missing path is left alone (runc does the same). */
static int op_mask(const struct carton_plan_op *op)
{
    char b1[32], b2[32];
    int root = fd_of(op->a[0]), by_path = op->flags & F_BY_PATH;
    int fd = open_in_root(root, str(op->a[1]), O_PATH);
    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return -fd;
    struct stat st;
    int err = fstat(fd, &st) < 0 ? errno : 0;
    if (!err && S_ISDIR(st.st_mode)) {
        err = by_path ? (mount("tmpfs", fd_path(fd, b1), "tmpfs", MS_RDONLY, str(op->a[3])) < 0 ? errno : 0)
                      : tmpfs_fd(fd, str(op->a[2]));
    } else if (!err) {
        int null = open_in_root(root, "/dev/null", O_PATH | O_NOFOLLOW);
        if (null < 0)
            err = -null;
        else if (fstat(null, &st) < 0)
            err = errno;
        else if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
            err = CHECK_FAILED;
        else
            err = by_path ? (mount(fd_path(null, b1), fd_path(fd, b2), NULL, MS_BIND, NULL) < 0 ? errno : 0)
                          : bind_fd(null, fd, 0);
        if (null >= 0)
            close(null);
    }
    close(fd);
    return err;
}

/* linux.readonlyPaths[i]: a recursive bind of the path on itself, made read-only (a missing path is left alone). */
static int op_readonly(const struct carton_plan_op *op)
{
    char b1[32];
    int root = fd_of(op->a[0]);
    const char *path = str(op->a[1]);
    int fd = open_in_root(root, path, O_PATH);
    if (fd == -ENOENT)
        return 0;
    if (fd < 0)
        return -fd;
    int err = op->flags & F_BY_PATH
        ? (mount(fd_path(fd, b1), fd_path(fd, b1), NULL, MS_BIND | MS_REC, NULL) < 0 ? errno : 0)
        : bind_fd(fd, fd, 1);
    close(fd);
    if (err)
        return err;
    if ((fd = open_in_root(root, path, O_PATH)) < 0) /* the new mount, not the directory under it */
        return -fd;
    struct mount_attr_k attr = {MOUNT_ATTR_RDONLY, 0, 0, 0};
    err = syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0 ? errno : 0;
    close(fd);
    return err;
}

static int op_mount(const struct carton_plan_op *op)
{
    char sbuf[32], dbuf[PATH_MAX];
    const char *src = op->a[1] >= 0 ? fd_path(fd_of(op->a[1]), sbuf) : str(op->a[0]);
    const char *type = str(op->a[4]), *data = str(op->a[6]);
    unsigned long flags = (unsigned long)op->a[5];
    if (op->a[3] >= 0)
        fd_path(fd_of(op->a[3]), dbuf);
    else if (str(op->a[2]) && strlen(str(op->a[2])) < sizeof dbuf)
        strcpy(dbuf, str(op->a[2]));
    else
        return EINVAL;
    while (mount(src, dbuf, type, flags, data) < 0) {
        int err = errno;
        char *slash = strrchr(dbuf, '/');
        if (err == EINVAL && (op->flags & F_WALK_UP) && slash && strcmp(dbuf, "/") != 0) {
            /* Not a mount point: its enclosing mount is what the propagation change is for. */
            slash[slash == dbuf ? 1 : 0] = 0;
            continue;
        }
        if (err == EPERM && (op->flags & F_FALLBACK_BIND) && str(op->a[7]))
            return mount(str(op->a[7]), dbuf, NULL, MS_BIND | MS_REC, NULL) < 0 ? errno : 0;
        if (err == EPERM && (op->flags & F_RETRY_LOCKED) && !(flags & MS_NOSUID))
            return mount(src, dbuf, type, flags | MS_NOSUID | MS_NODEV, data) < 0 ? errno : 0;
        return err;
    }
    return 0;
}

/* A procfs write through the verified handle: beneath it, no symlink, no magic link, nothing mounted over the path
 * (design.md §3 item 5). "self/" is the pid this procfs gives the executor, read from its "self" link. */
static int op_write(const struct carton_plan_op *op)
{
    int proc = fd_of(op->a[0]);
    const char *path = str(op->a[1]), *data = str(op->a[2]);
    char full[PATH_MAX];
    if (!path || !data)
        return EINVAL;
    if (strncmp(path, "self/", 5) == 0) {
        ssize_t n = readlinkat(proc, "self", full, 16);
        if (n <= 0)
            return n < 0 ? errno : EINVAL;
        full[n] = 0;
        if (strspn(full, "0123456789") != (size_t)n || strlen(path + 4) + (size_t)n >= sizeof full)
            return EINVAL;
        strcat(full, path + 4);
    } else if (strlen(path) < sizeof full) {
        strcpy(full, path);
    } else
        return ENAMETOOLONG;
    int fd = openat2_k(proc, full, O_WRONLY | O_NOFOLLOW, 0, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
    if (fd < 0)
        return -fd;
    long type = 0;
    int err = fstatfs_type(fd, &type);
    if (!err && type != PROC_SUPER_MAGIC_K)
        err = EXDEV;
    size_t len = strlen(data);
    if (!err) {
        ssize_t n = write(fd, data, len);
        err = n < 0 ? errno : (size_t)n != len ? EIO : 0;
    }
    close(fd);
    return err;
}

/* The verified procfs handle: a private clone of the mount (or the mount itself where the kernel refuses the clone),
 * checked to be a procfs (fstatfs) and its root (inode 1). */
static int op_procfs(const struct carton_plan_op *op)
{
    const char *path = str(op->a[1]);
    int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | O_CLOEXEC | AT_SYMLINK_NOFOLLOW);
    if (fd < 0)
        fd = open(path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno;
    long type = 0;
    struct stat st;
    int err = fstatfs_type(fd, &type);
    if (!err && (type != PROC_SUPER_MAGIC_K || fstat(fd, &st) < 0 || st.st_ino != 1 || !S_ISDIR(st.st_mode)))
        err = EXDEV;
    if (err) {
        close(fd);
        return err;
    }
    set_slot(op->a[0], fd);
    return 0;
}

static int op_check(const struct carton_plan_op *op)
{
    int fd = fd_of(op->a[0]);
    long type;
    struct stat st;
    switch (op->a[1]) {
    case CHECK_FS_IS:
    case CHECK_FS_NOT:
        if (fstatfs_type(fd, &type))
            return errno;
        return (type == op->a[2]) == (op->a[1] == CHECK_FS_IS) ? 0 : CHECK_FAILED;
    case CHECK_TYPE_IS:
        if (fstat(fd, &st) < 0)
            return errno;
        return (int64_t)(st.st_mode & S_IFMT) == op->a[2] ? 0 : CHECK_FAILED;
    case CHECK_RDEV_IS:
        if (fstat(fd, &st) < 0)
            return errno;
        return S_ISCHR(st.st_mode) && (int64_t)st.st_rdev == op->a[2] ? 0 : CHECK_FAILED;
    }
    return EINVAL;
}

/* The root modes: pivot_root(".", ".") then a lazy unmount of the old root stacked under the new one (made a
 * slave first, so the unmount does not reach the host: runc's technique); --no-pivot's move + chroot; a chroot
 * alone when the container has no mount namespace; (3) a chroot into a directory fd (exec in such a container). */
static int op_pivot(const struct carton_plan_op *op)
{
    const char *rootfs = str(op->a[0]);
    if (op->a[1] == 3 ? fchdir(fd_of(op->a[2])) < 0 : chdir(rootfs) < 0)
        return errno;
    if (op->a[1] == 0) {
        int old = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (old < 0)
            return errno;
        int err = syscall(SYS_pivot_root, ".", ".") < 0 || fchdir(old) < 0 ||
            mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0 || umount2(".", MNT_DETACH) < 0 ? errno : 0;
        close(old);
        if (err)
            return err;
    } else if (op->a[1] == 1 && mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
        return errno;
    if (op->a[1] != 0 && chroot(".") < 0)
        return errno;
    return chdir("/") < 0 ? errno : 0;
}

static int op_lo_up(void)
{
    struct ifreq ifr;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return errno;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    int err = 0;
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        err = errno;
    ifr.ifr_flags |= IFF_UP;
    if (!err && ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
        err = errno;
    close(s);
    return err;
}

static int op_find_exec(const struct carton_plan_op *op)
{
    uint32_t n, m;
    char **check = list(op->a[0], &n), **run = list(op->a[1], &m);
    int err = ENOENT;
    for (uint32_t i = 0; i < n && i < m; i++) {
        struct stat st;
        if (!check[i] || stat(check[i], &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0) {
            err = EACCES;
            continue;
        }
        exec_path = run[i];
        return 0;
    }
    return err;
}

/* The capability sets (capset v3), then the ambient set: each raise needs the capability permitted and
 * inheritable, and runc skips (EPERM) those that are not. */
static int op_capset(const struct carton_plan_op *op)
{
    struct { uint32_t version; int pid; } header = {0x20080522, 0};
    struct { uint32_t effective, permitted, inheritable; } data[2];
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)((uint64_t)op->a[0] >> (32 * i));
        data[i].permitted = (uint32_t)((uint64_t)op->a[1] >> (32 * i));
        data[i].inheritable = (uint32_t)((uint64_t)op->a[2] >> (32 * i));
    }
    if (syscall(SYS_capset, &header, data) < 0 || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return errno;
    for (int cap = 0; cap < 64; cap++)
        if (((uint64_t)op->a[3] >> cap & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0 && errno != EPERM)
            return errno;
    return 0;
}

/* Raw syscalls, not libc's wrappers: this process is single-threaded, there is nothing to broadcast to. */
static int op_ids(const struct carton_plan_op *op)
{
    if (op->a[4] && op->a[3] >= 0 && op->a[2] + 4 * op->a[3] <= plan_size &&
        syscall(SYS_setgroups, op->a[3], op->a[3] ? plan + op->a[2] : NULL) < 0)
        return errno;
    if (syscall(SYS_setresgid, op->a[1], op->a[1], op->a[1]) < 0 || syscall(SYS_setresuid, op->a[0], op->a[0], op->a[0]) < 0)
        return errno;
    return 0;
}

static int op_seccomp(const struct carton_plan_op *op)
{
    struct { unsigned short len; const void *filter; } prog = {(unsigned short)op->a[1], str(op->a[0])};
    if (!prog.filter || op->a[0] + 8 * op->a[1] > plan_size)
        return EINVAL;
    return syscall(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, op->a[2], &prog) < 0 ? errno : 0;
}

/* process.terminal from the container's own devpts (design.md §3 item 4, CVE-2025-52565): /dev/ptmx opened in the
 * root and checked to be the multiplexer (5:2); the slave opened from the master (TIOCGPTPEER), never by a
 * /dev/pts/N path the container could have replaced. */
static int op_pty(const struct carton_plan_op *op)
{
    struct stat st;
    int unlock = 0, err = 0, slave = -1;
    int master = open_in_root(fd_of(op->a[0]), "/dev/ptmx", O_RDWR | O_NOCTTY);
    if (master < 0)
        return -master;
    struct winsize ws = {(unsigned short)op->a[1], (unsigned short)op->a[2], 0, 0};
    if (fstat(master, &st) < 0)
        err = errno;
    else if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2))
        err = CHECK_FAILED;
    else if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
             ((ws.ws_row || ws.ws_col) && ioctl(master, TIOCSWINSZ, &ws) < 0))
        err = errno;
    if (err) {
        close(master);
        if (slave >= 0)
            close(slave);
        return err;
    }
    set_slot(op->a[3], master);
    set_slot(op->a[4], slave);
    return 0;
}

/* The master to the console socket: SCM_RIGHTS, with the slave's name as the payload (runc's docs/terminals.md). */
static int op_send_pty(const struct carton_plan_op *op)
{
    unsigned n;
    int fd = fd_of(op->a[1]);
    char name[32] = "/dev/pts/", digits[12];
    if (ioctl(fd, TIOCGPTN, &n) < 0)
        return errno;
    int len = 0;
    do digits[len++] = (char)('0' + n % 10); while ((n /= 10) > 0);
    for (char *p = name + 9; len > 0;)
        *p++ = digits[--len];
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = {name, strlen(name)};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_RIGHTS;
    h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
    return sendmsg(fd_of(op->a[0]), &msg, 0) < 0 ? errno : 0;
}

/* Idle mode (a compute system without a process): stay pid 1 and reap what is reparented here until told to stop. */
static int op_idle(const struct carton_plan_op *op)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL); /* blocked signals reach a namespace's init even without a handler */
    if (chdir(str(op->a[0])) < 0) { /* best effort, as before */ }
    for (;;) {
        int sig = sigwaitinfo(&set, NULL);
        if (sig == SIGTERM || sig == SIGINT)
            exit(0);
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
    }
}

static int run(const struct carton_plan_op *op)
{
    char buf[PATH_MAX];
    int fd;
    const int64_t *a = op->a;
    switch (op->code) {
    case OP_ADOPT: set_slot(a[0], (int)a[1]); return 0;
    case OP_CLOSE: if (fd_of(a[0]) >= 0) close(fd_of(a[0])); set_slot(a[0], -1); return 0;
    case OP_PRCTL: return prctl((int)a[0], a[1], a[2], 0, 0) < 0 ? errno : 0;
    case OP_PROCFS: return op_procfs(op);
    case OP_OPEN:
        fd = openat2_k(fd_of(a[0]), str(a[1]), (uint64_t)a[2], (uint64_t)a[3], (uint64_t)a[4]);
        if (fd == -ENOENT && (op->flags & F_IGNORE_ENOENT))
            fd = -1;
        else if (fd < 0)
            return -fd;
        set_slot(a[5], fd);
        return 0;
    case OP_OPEN_CREATE:
        if ((fd = open_create(fd_of(a[0]), str(a[1]), (int)a[2], 0)) < 0)
            return -fd;
        set_slot(a[3], fd);
        return 0;
    case OP_CHECK: return op_check(op);
    case OP_NOT_SYMLINK: {
        struct stat st;
        if ((fd = open_in_root(fd_of(a[0]), str(a[1]), O_PATH)) < 0)
            return 0; /* no directory, no symlink in it */
        int link = fstatat(fd, str(a[2]), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
        close(fd);
        return link ? CHECK_FAILED : 0;
    }
    case OP_MOUNT: return op_mount(op);
    case OP_SETATTR: {
        struct mount_attr_k attr = {(uint64_t)a[1], (uint64_t)a[2], (uint64_t)a[3], 0};
        return syscall(SYS_mount_setattr, fd_of(a[0]), "", (int)a[4], &attr, sizeof attr) < 0 ? errno : 0;
    }
    case OP_MASK: return op_mask(op);
    case OP_READONLY: return op_readonly(op);
    case OP_MKNOD: {
        mode_t old = umask(0);
        int rc = mknodat(fd_of(a[0]), str(a[1]), (mode_t)a[2], (dev_t)a[3]);
        int err = rc < 0 ? errno : 0;
        umask(old);
        if (!err && fchownat(fd_of(a[0]), str(a[1]), (uid_t)a[4], (gid_t)a[5], AT_SYMLINK_NOFOLLOW) < 0)
            err = errno;
        return err;
    }
    case OP_SYMLINK:
        return symlinkat(str(a[0]), fd_of(a[1]), str(a[2])) < 0 && !(errno == EEXIST && (op->flags & F_IGNORE_EEXIST)) ? errno : 0;
    case OP_UNLINK: unlinkat(fd_of(a[0]), str(a[1]), (int)a[2]); return 0;
    case OP_WRITE: return op_write(op);
    case OP_UNSHARE: return unshare((int)a[0]) < 0 ? errno : 0;
    case OP_HOSTNAME: {
        const char *name = str(a[0]);
        size_t len = name ? strlen(name) : 0;
        return (a[1] ? setdomainname(name, len) : sethostname(name, len)) < 0 ? errno : 0;
    }
    case OP_LO_UP: return op_lo_up();
    case OP_PIVOT: return op_pivot(op);
    case OP_RLIMIT: {
        uint64_t lim[2] = {(uint64_t)a[1], (uint64_t)a[2]};
        return syscall(SYS_prlimit64, 0, a[0], lim, NULL) < 0 ? errno : 0;
    }
    case OP_SYNC: {
        struct carton_plan_report r = {(int32_t)a[0], 0, 0};
        char reply;
        if (write(sync_fd, &r, sizeof r) != sizeof r)
            return errno ? errno : EPIPE;
        if (a[0] == REPORT_READY) {
            close(sync_fd);
            ready = 1;
            return 0;
        }
        return read(sync_fd, &reply, 1) == 1 ? 0 : ECANCELED; /* the parent gave up (a hook failed) */
    }
    case OP_FIND_EXEC: return op_find_exec(op);
    case OP_WAIT_FIFO: {
        char b;
        ssize_t n;
        while ((n = read(fd_of(a[0]), &b, 1)) < 0 && errno == EINTR) {
        }
        if (n != 1)
            exit(1); /* the fifo's writer is gone without a word: delete, not start */
        return 0;
    }
    case OP_KEYRING:
        return syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, str(a[0]), 0, 0, 0) < 0 && errno != ENOSYS && errno != EPERM ? errno : 0;
    case OP_UMASK: umask((mode_t)a[0]); return 0;
    case OP_CAPBSET:
        for (int cap = 0; cap <= a[1]; cap++)
            if (!((uint64_t)a[0] >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
                return errno;
        return 0;
    case OP_IDS: return op_ids(op);
    case OP_CAPSET: return op_capset(op);
    case OP_CHDIR:
        if ((op->flags & F_IF_FAILED) && !chdir_failed)
            return 0;
        if (chdir(str(a[0])) == 0)
            chdir_failed = 0;
        else if (op->flags & F_TRY)
            chdir_failed = errno;
        else
            return errno;
        return 0;
    case OP_VERIFY_CWD: /* CVE-2024-21626: a leaked host directory as cwd has no path inside the container */
        if (!getcwd(buf, sizeof buf))
            return errno;
        return buf[0] == '/' ? 0 : CHECK_FAILED;
    case OP_SECCOMP: return op_seccomp(op);
    case OP_CLOSE_FROM: return syscall(SYS_close_range, (unsigned)a[0], ~0u, 4 /* CLOSE_RANGE_CLOEXEC */) < 0 ? errno : 0;
    case OP_EXEC:
        if (!exec_path)
            return ENOENT;
        execve(exec_path, list(a[0], NULL), list(a[1], NULL));
        return errno;
    case OP_IDLE: return op_idle(op);
    case OP_PTY: return op_pty(op);
    case OP_SEND_PTY: return op_send_pty(op);
    case OP_CTTY:
        fd = fd_of(a[0]);
        if (setsid() < 0 || ioctl(fd, TIOCSCTTY, 0) < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            return errno;
        return 0;
    }
    return ENOSYS;
}

static void fail(uint32_t index, const struct carton_plan_op *op, int err)
{
    if (err == CHECK_FAILED)
        err = 0;
    if (!ready) {
        struct carton_plan_report r = {REPORT_ERROR, (int32_t)index, err};
        if (write(sync_fd, &r, sizeof r) == sizeof r)
            _exit(1);
    }
    const char *msg = str(op->message) ? str(op->message) : "carton-dmz: setup failed";
    const char *text = err ? strerror(err) : NULL;
    if (write(2, msg, strlen(msg)) < 0 || (text && (write(2, ": ", 2) < 0 || write(2, text, strlen(text)) < 0)) || write(2, "\n", 1) < 0) {
    }
    _exit(1);
}

static int read_all(int fd, void *buf, size_t len)
{
    for (size_t off = 0; off < len;) {
        ssize_t n = read(fd, (char *)buf + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct carton_plan_header h;
    if (argc < 2)
        return 2;
    /* Non-dumpable from the first instruction while this process holds host fds (design.md §3 item 2): no process of
     * the container can ptrace it or open its /proc/PID/fd. The kernel makes the user's process dumpable at execve.
     * "dumpable" is how a mutation build switches the defence off to show its test fail. */
    if (!(argc > 2 && strcmp(argv[2], "dumpable") == 0) && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return 2;
    sync_fd = atoi(argv[1]);
    if (read_all(sync_fd, &h, sizeof h) < 0 || h.magic != CARTON_PLAN_MAGIC || h.version != CARTON_PLAN_VERSION ||
        h.size < sizeof h || h.size > (64u << 20) || h.count > (h.size - sizeof h) / sizeof(struct carton_plan_op))
        return 2;
    char *buf = malloc(h.size);
    if (!buf || read_all(sync_fd, buf + sizeof h, h.size - sizeof h) < 0 || buf[h.size - 1] != 0)
        return 2;
    const struct carton_plan_op *ops = (const struct carton_plan_op *)(buf + sizeof h);
    plan = (char *)(ops + h.count);
    plan_size = (uint32_t)(buf + h.size - plan);
    for (int i = 0; i < CARTON_PLAN_SLOTS; i++)
        slots[i] = -1;
    for (uint32_t i = 0; i < h.count; i++) {
        int err = run(&ops[i]);
        if (err && !(ops[i].flags & F_IGNORE_ERROR))
            fail(i, &ops[i], err);
    }
    return 1; /* a plan ends in EXEC or IDLE */
}
