// Why not Foundation's Process: on Linux it emulates close-on-exec by listing the descriptors open
// when it prepares a spawn, so one opened by another thread before the spawn itself leaks into the
// child, and it notices each exit through a socket that the child (and any process that inherited it)
// holds, on one shared manager thread. A leaked descriptor keeps a finished child "running". glibc's
// addclosefrom_np closes everything from 3 up in the child at exec, which has no such window.
#define _GNU_SOURCE
#include "CSpawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

extern char **environ;

static int set_descriptor(posix_spawn_file_actions_t *actions, int descriptor, int target) {
    if (descriptor == OODSYNTH_SPAWN_INHERIT) return 0;
    if (descriptor == OODSYNTH_SPAWN_NULL)
        return posix_spawn_file_actions_addopen(actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0);
    if (descriptor < 0) return EBADF;
    return posix_spawn_file_actions_adddup2(actions, descriptor, target);
}

int oodsynth_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[],
                   const char *directory, int input, int output, int error, int new_group) {
    // A descriptor of ours below 3 would be overwritten by an earlier dup2 before it is copied.
    if ((input >= 0 && input < 3 && input != 0) || (output >= 0 && output < 3 && output != 1)
        || (error >= 0 && error < 3 && error != 2))
        return EINVAL;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int status = posix_spawn_file_actions_init(&actions);
    if (status != 0) return status;
    status = posix_spawnattr_init(&attributes);
    if (status != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return status;
    }
    status = set_descriptor(&actions, input, 0);
    if (status == 0) status = set_descriptor(&actions, output, 1);
    if (status == 0) status = set_descriptor(&actions, error, 2);
    if (status == 0 && directory != NULL) status = posix_spawn_file_actions_addchdir_np(&actions, directory);
    if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, 3);

    // A child must not inherit the mask of whichever of our threads spawned it, nor an ignored
    // SIGPIPE (some commands ignore it to report EPIPE), which a shell pipeline relies on.
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (new_group) flags |= POSIX_SPAWN_SETPGROUP;
    if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &none);
    if (status == 0) status = posix_spawnattr_setsigdefault(&attributes, &defaults);
    if (status == 0) status = posix_spawnattr_setpgroup(&attributes, 0);
    if (status == 0) status = posix_spawnattr_setflags(&attributes, flags);
    if (status == 0) status = posix_spawn(pid, path, &actions, &attributes, argv, envp != NULL ? envp : environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return status;
}

int oodsynth_pipe(int descriptors[2]) {
    return pipe2(descriptors, O_CLOEXEC);
}
