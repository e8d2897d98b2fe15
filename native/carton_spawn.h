/*
 * carton_spawn.h: the one native helper in Carton (see docs/architecture.md, "The spawn helper").
 *
 * C# prepares a carton_spawn_req; carton_spawn() clones a child that shares the caller's memory,
 * runs the table's syscalls (setns, namespace creation, uid/gid maps, fd fixes) and execs. No managed
 * code ever runs in the child. The layout of this struct is mirrored by Carton.Linux.SpawnRequest:
 * change both together.
 */
#ifndef CARTON_SPAWN_H
#define CARTON_SPAWN_H

#include <stdint.h>

/* The step at which a child failed, reported with its errno. Mirrored by Carton.Linux.SpawnStep. */
enum carton_spawn_step {
    CARTON_STEP_NONE = 0,
    CARTON_STEP_CLONE = 1,       /* clone of the intermediate or final child */
    CARTON_STEP_SETNS = 2,       /* joining join_fds[err_index] */
    CARTON_STEP_USERNS_MAP = 3,  /* writing /proc/<pid>/{setgroups,uid_map,gid_map} */
    CARTON_STEP_USERNS_SYNC = 4, /* waiting for the map to be written */
    CARTON_STEP_SETID = 5,       /* becoming root inside the new user namespace */
    CARTON_STEP_UNSHARE = 6,     /* creating the remaining namespaces */
    CARTON_STEP_FDS = 7,         /* dup2 / clearing FD_CLOEXEC on dup_dst[err_index] or keep_fds[err_index] */
    CARTON_STEP_CHDIR = 8,
    CARTON_STEP_EXEC = 9,
    CARTON_STEP_SETSID = 10,
    CARTON_STEP_PIPE = 11,
};

struct carton_spawn_req {
    /* What to exec: execveat(exec_fd, "", AT_EMPTY_PATH) when exec_fd >= 0, else execve(path). */
    const char *path;
    char *const *argv;
    char *const *envp;
    int32_t exec_fd;

    /* Namespaces to join, in order (a user namespace first), before any new one is created: setns(join_fds[i],
     * join_types[i]). The type is the CLONE_NEW* flag the config declared, so the kernel refuses (EINVAL) an fd
     * of another namespace type, as runc and crun do; 0 would accept any type. */
    const int32_t *join_fds;
    const int32_t *join_types;
    int32_t join_count;

    /* CLONE_NEW* flags to create. CLONE_NEWUSER and CLONE_NEWPID are created by cloning a second
     * child; the others by unshare() in the process that execs. */
    int32_t new_ns_flags;
    /* Nonzero when join_fds holds a pid namespace: the exec must happen in a child of the joiner. */
    int32_t joined_pid_ns;

    /* For a new user namespace: the contents of uid_map, gid_map, and whether to write "deny" to
     * setgroups first (required when the writer lacks CAP_SETGID in the parent namespace). */
    const char *uid_map;
    const char *gid_map;
    int32_t setgroups_deny;
    /* When set (rootless, several ranges), the maps are written by these setuid helpers (newuidmap/newgidmap
     * from Debian's uidmap) run as "helper <pid> <map fields...>" instead of by writing the files directly. */
    const char *uidmap_helper;
    const char *gidmap_helper;

    /* dup2(dup_src[i], dup_dst[i]) in the child (stdio); keep_fds lose FD_CLOEXEC. */
    const int32_t *dup_src;
    const int32_t *dup_dst;
    int32_t dup_count;
    const int32_t *keep_fds;
    int32_t keep_count;

    const char *cwd;  /* chdir before exec when not NULL */
    int32_t setsid;   /* start a new session when nonzero */

    /* Out. pid: the process that execs (a child of the caller in every mode). intermediate_pid: a
     * child that only joined namespaces and has exited (0 when none); the caller reaps it. */
    int32_t pid;
    int32_t intermediate_pid;
    int32_t err_step;
    int32_t err_errno;
    int32_t err_index;
};

/* Returns 0 when the final child has exec'd, -1 when a step failed (err_* say which). */
int carton_spawn(struct carton_spawn_req *req);

#endif
