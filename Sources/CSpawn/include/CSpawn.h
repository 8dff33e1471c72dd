#ifndef OODSYNTH_CSPAWN_H
#define OODSYNTH_CSPAWN_H

#include <sys/types.h>

/// What a child's standard descriptor is: a descriptor of ours (>= 0), ours as it is, or /dev/null.
enum {
    OODSYNTH_SPAWN_INHERIT = -1,
    OODSYNTH_SPAWN_NULL = -2,
};

/// posix_spawn of `path` with `argv` and `envp` (NULL-terminated; ours when `envp` is NULL), in `directory` (or ours when
/// NULL), its descriptors 0-2 set from `input`, `output` and `error`, and every other descriptor
/// closed in the child (closefrom at exec, so nothing another thread opens meanwhile leaks into it).
/// The child starts with no signal blocked and SIGPIPE at its default, in a process group of its own
/// when `new_group` is nonzero. Returns 0 and sets `pid`, or an errno value.
int oodsynth_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                   const char *directory, int input, int output, int error, int new_group);

/// pipe2 with O_CLOEXEC (a _GNU_SOURCE function Swift's Glibc module leaves out): 0, or -1 and errno.
int oodsynth_pipe(int descriptors[2]);

#endif
