/*
 * hookengine.h — the C API of hookctl's engine (libhookengine).
 *
 * Strings returned by these functions are allocated with malloc and must be
 * released with hookengine_free. All functions are safe to call from any
 * thread; none of them prints anything.
 */
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// The engine's version, e.g. "0.1.0". Static storage; do not free.
const char *hookengine_version(void);

/// Runs the prompt entry point for `shell` ("bash", "zsh" or "fish") as
/// `hookctl export SHELL` would, for the shell process `shell_pid`.
/// Returns the shell code to evaluate (possibly empty) and stores the
/// messages meant for the user (one per line, possibly empty) in
/// `*messages`. Returns NULL and stores an error message in `*messages`
/// when the export failed. Both results must be released with
/// hookengine_free.
char *hookengine_export(const char *shell, int shell_pid, char **messages);

/// Releases a string returned by this API. NULL is ignored.
void hookengine_free(char *string);

#ifdef __cplusplus
}
#endif
