#pragma once
#include <spawn.h>

/* GNU extensions that glibc only declares under _GNU_SOURCE, which the
   Swift Glibc module is built without. */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions,
                                                const char *__restrict path);
extern int pipe2(int pipefd[2], int flags);
