/*
 * carton_plan.h: the setup plan's binary layout, shared by carton-dmz (the executor) and mirrored by
 * Carton.Runtime.Plan.PlanOp / SetupPlan (the C# compiler and encoder): change them together.
 *
 * A plan is one little-endian buffer: a header, `count` fixed-size operations, then the data section they point into
 * (NUL-terminated strings, lists, the seccomp program), which ends with a NUL byte. Offsets are from the start of the
 * data section, whose first byte is padding: 0 means "none".
 * A list is { u32 n; u32 offsets[n]; } of strings. Fds are named by slot (0..CARTON_PLAN_SLOTS-1), never by number.
 * The executor decides nothing: every branch it takes is an operand or a flag that C# chose (docs/architecture.md).
 */
#ifndef CARTON_PLAN_H
#define CARTON_PLAN_H

#include <stdint.h>

#define CARTON_PLAN_MAGIC 0x4e4c5043u /* "CPLN" */
#define CARTON_PLAN_VERSION 1u
#define CARTON_PLAN_SLOTS 64
#define CARTON_PLAN_ARGS 8

struct carton_plan_header {
    uint32_t magic, version, count, size;
};

struct carton_plan_op {
    uint16_t code;
    uint16_t flags;
    uint32_t message; /* after READY only: what to print to stderr on failure (the parent has gone) */
    int64_t a[CARTON_PLAN_ARGS];
};

/* What the executor sends on the sync socket: kind, the failing op's index, its errno (0: a check failed). */
struct carton_plan_report {
    int32_t kind, index, err;
};
enum { REPORT_HOOKS = 1, REPORT_READY = 2, REPORT_ERROR = 3 };

/* Opcodes. Operands are a[0..7]; "str" is an offset, "slot" an fd slot (-1: none / AT_FDCWD). */
enum carton_plan_code {
    OP_ADOPT = 1,       /* slot, fd: an inherited fd becomes a slot */
    OP_CLOSE = 2,       /* slot */
    OP_PRCTL = 3,       /* option, arg2, arg3 */
    OP_PROCFS = 4,      /* out slot, path str: a verified procfs root (fstatfs magic, inode 1) */
    OP_OPEN = 5,        /* dir slot, path str, flags, mode, resolve, out slot (openat2) */
    OP_OPEN_CREATE = 6, /* root slot, path str, last is a file, out slot: open in root, creating what is missing */
    OP_CHECK = 7,       /* slot, check kind, value: fails with errno 0 when the check does not hold */
    OP_NOT_SYMLINK = 8, /* root slot, dir str, name str: fails when dir/name in the root is a symlink */
    OP_MOUNT = 9,       /* src str, src slot, dst str, dst slot, fstype str, flags, data str, fallback str */
    OP_SETATTR = 10,    /* slot, attr set, attr clear, propagation, at flags (mount_setattr) */
    OP_MASK = 11,       /* root slot, path str, mount context str: tmpfs over a dir, checked /dev/null over a file */
    OP_READONLY = 12,   /* root slot, path str: recursive bind on itself, then read-only */
    OP_MKNOD = 13,      /* dir slot, name str, mode, dev, uid, gid (umask 0) */
    OP_SYMLINK = 14,    /* target str, dir slot, name str */
    OP_UNLINK = 15,     /* dir slot, name str, at flags (errors ignored) */
    OP_WRITE = 16,      /* procfs slot, path str ("self/..." is this process), data str */
    OP_UNSHARE = 17,    /* clone flags */
    OP_HOSTNAME = 18,   /* str, 0 host / 1 domain */
    OP_LO_UP = 19,
    OP_PIVOT = 20,      /* rootfs str, mode: 0 pivot_root, 1 move + chroot, 2 chroot, 3 chroot to the dir slot a[2] */
    OP_RLIMIT = 21,     /* resource, soft, hard */
    OP_SYNC = 22,       /* report kind: HOOKS waits for the parent's byte; READY closes the socket */
    OP_FIND_EXEC = 23,  /* candidates list: the first existing executable non-directory (stat) is kept for EXEC */
    OP_WAIT_FIFO = 24,  /* slot: read one byte (start) */
    OP_KEYRING = 25,    /* name str: join a new session keyring (ENOSYS, EPERM ignored) */
    OP_UMASK = 26,      /* mask */
    OP_CAPBSET = 27,    /* keep mask, last cap: drop the rest of the bounding set */
    OP_IDS = 28,        /* uid, gid, groups list (0: setgroups skipped) */
    OP_CAPSET = 29,     /* effective, permitted, inheritable, ambient */
    OP_CHDIR = 30,      /* path str */
    OP_VERIFY_CWD = 31, /* getcwd must succeed and be absolute */
    OP_SECCOMP = 32,    /* program offset, instruction count, seccomp flags */
    OP_CLOSE_FROM = 33, /* first fd: close_range CLOEXEC */
    OP_EXEC = 34,       /* argv list, envp list (the FIND_EXEC result is the path) */
    OP_IDLE = 35,       /* reap children until SIGTERM or SIGINT */
    OP_PTY = 36,        /* root slot, rows, cols, out master slot, out slave slot: a pty from the root's /dev/ptmx */
    OP_SEND_PTY = 37,   /* console socket slot, master slot: SCM_RIGHTS with "/dev/pts/N" (runc's protocol) */
    OP_CTTY = 38,       /* slave slot: setsid, controlling terminal, stdio */
};

/* Flags of any op. */
enum {
    F_IGNORE_ENOENT = 1,  /* OPEN: a missing path leaves the slot at -1; ops on a -1 slot are skipped */
    F_WALK_UP = 2,        /* MOUNT: on EINVAL retry at the parent directory (the enclosing mount point) */
    F_FALLBACK_BIND = 4,  /* MOUNT: on EPERM bind the fallback host path instead (sysfs, mqueue in a user ns) */
    F_RETRY_LOCKED = 8,   /* MOUNT: on EPERM retry with MS_NOSUID|MS_NODEV (locked flags of the mount) */
    F_IGNORE_EEXIST = 16, /* SYMLINK */
    F_TRY = 32,           /* CHDIR: a failure is remembered, not reported; a later CHDIR with F_IF_FAILED retries */
    F_IF_FAILED = 64,     /* CHDIR: only when the F_TRY one failed */
    F_BY_PATH = 128,      /* MASK, READONLY: mount through /proc/self/fd/N (the defence "mask-by-fd" off) */
    F_IGNORE_ERROR = 256, /* any op: a failure is not reported */
};

/* OP_CHECK kinds. */
enum { CHECK_FS_IS = 1, CHECK_FS_NOT = 2, CHECK_TYPE_IS = 3, CHECK_RDEV_IS = 4 };

#endif
