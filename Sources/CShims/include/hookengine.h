/*
 * hookengine.h — the C API of hookctl's engine (libhookengine.so.0).
 *
 * The engine decides what a shell must do at its prompt (which project it
 * is in, whether the project is trusted, which hooks run, which variables
 * to set and unset) and keeps its state in SQLite. A host — the native bash
 * builtin, an editor, another shell — drives it through this API.
 *
 * Context: every call takes a hookengine_context built by the host with the
 * working directory, the environment, the shell's pid and the state
 * directory. The engine reads no process globals (no getcwd, environ or
 * getenv); what the host passes is all it knows.
 *
 * Ownership: every `char *` and `hookengine_plan *` returned is allocated
 * with malloc and owned by the caller: release strings with hookengine_free
 * and plans with hookengine_plan_free. Arguments are only read during the
 * call; the engine keeps copies of what it needs.
 *
 * Errors: functions that fail return NULL (or -1) and leave one sentence,
 * saying what to do next, in hookengine_last_error(context). Bad input —
 * NULL, an unknown shell name, invalid UTF-8, a directory that does not
 * exist — is an error, never a crash.
 *
 * Threads: the library starts no threads and installs no signal handlers.
 * A context may be used by one thread at a time; different contexts are
 * independent. Nothing here prints.
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version, the number in the soname libhookengine.so.0. */
#define HOOKENGINE_ABI_VERSION 0

/** An engine context; opaque. */
typedef struct hookengine_context hookengine_context;

/** The engine's version, e.g. "0.2.0". Static storage; do not free. */
const char *hookengine_version(void);

/** The ABI version of the loaded library; compare with HOOKENGINE_ABI_VERSION. */
int hookengine_abi_version(void);

/**
 * Creates a context.
 *   cwd          the working directory, absolute (the shell's $PWD); must exist
 *   environment  the exported variables, a NULL-terminated array of
 *                "NAME=value" strings; NULL means an empty environment
 *   shell_pid    the interactive shell the host acts for (0: none)
 *   state_dir    the state directory; NULL chooses it from the environment
 *                ($HOOKCTL_STATE_DIR, $XDG_STATE_HOME/hookctl, ~/.local/state/hookctl)
 *   hookctl_path the hookctl executable that runs hooks in the background;
 *                NULL looks for `hookctl` on the environment's PATH
 * Returns NULL on bad input and, when `error` is not NULL, stores the reason
 * there (release it with hookengine_free).
 */
hookengine_context *hookengine_context_new(const char *cwd, const char *const *environment, int shell_pid,
                                           const char *state_dir, const char *hookctl_path, char **error);

/**
 * Replaces the working directory and the environment of `context`, e.g. at
 * each prompt; the state database stays open. Returns 0, or -1 on bad input.
 */
int hookengine_context_update(hookengine_context *context, const char *cwd, const char *const *environment);

/** Releases a context. NULL is ignored. */
void hookengine_context_free(hookengine_context *context);

/**
 * The last error on `context` as one sentence, or NULL when the last call
 * succeeded. Release it with hookengine_free.
 */
char *hookengine_last_error(const hookengine_context *context);

/**
 * The prompt entry point, as `hookctl export SHELL` runs it: `shell` is
 * "bash", "zsh" or "fish". Returns the shell code to evaluate (possibly
 * empty) and, when `messages` is not NULL, stores the lines meant for the
 * user there ("hookctl: ...\n" each, possibly empty). NULL on error.
 */
char *hookengine_export(hookengine_context *context, const char *shell, char **messages);

/** What an export saw happen (bits of hookengine_plan.transitions). */
enum {
    HOOKENGINE_LEFT = 1,     /**< the shell left the project at `left` */
    HOOKENGINE_ENTERED = 2,  /**< the shell entered the project at `entered` */
    HOOKENGINE_UNLOADED = 4, /**< the loaded project's variables were restored */
    HOOKENGINE_WAITING = 8,  /**< hooks run; `execution` is the one to wait for */
    HOOKENGINE_APPLIED = 16, /**< the environment of `execution` was applied */
};

/** One variable to set (`value` not NULL) or unset (`value` NULL). */
typedef struct hookengine_variable {
    const char *name;
    const char *value;
} hookengine_variable;

/** The same export as data, for hosts that set variables themselves. */
typedef struct hookengine_plan {
    unsigned transitions;
    const char *left;      /**< or NULL */
    const char *entered;   /**< or NULL */
    const char *execution; /**< or NULL */
    size_t variable_count;
    const hookengine_variable *variables; /**< sorted by name */
    size_t message_count;
    const char *const *messages; /**< without the "hookctl: " prefix or a newline */
    /** What the shell hands over to its per-shell hook runner from now on:
     * space-separated words "before" and "after" (command lines), "runner"
     * (events wait in the spool: start the runner if it is not running);
     * "" for nothing; NULL: keep what it does. */
    const char *command_events;
    /** The intercept rules where the shell is now, six strings per rule
     * (id, a glob as a shell pattern or "", a POSIX ERE, the action, two
     * arguments), for
     * the glue's `_hookctl_rules`; `rule_field_count` is SIZE_MAX: keep them. */
    size_t rule_field_count;
    const char *const *rule_fields;
} hookengine_plan;

/** The export of hookengine_export as data; NULL on error. */
hookengine_plan *hookengine_export_plan(hookengine_context *context);

/** Releases a plan. NULL is ignored. */
void hookengine_plan_free(hookengine_plan *plan);

/*
 * The user's commands. `directory` is a directory inside the project,
 * relative to the context's working directory; NULL means the working
 * directory. Each returns the one-line message to show, or NULL on error.
 */

/** `hookctl allow`: trusts the project's current contents. */
char *hookengine_allow(hookengine_context *context, const char *directory);
/** `hookctl deny`: revokes the approval, cancels running hooks, unloads shells. */
char *hookengine_deny(hookengine_context *context, const char *directory);
/** `hookctl load`: starts the onEnter hooks in the background. */
char *hookengine_load(hookengine_context *context, const char *directory);
/** `hookctl reload`: runs the onEnter hooks again. */
char *hookengine_reload(hookengine_context *context, const char *directory);
/** `hookctl cancel`: cancels the running hooks. */
char *hookengine_cancel(hookengine_context *context, const char *directory);
/** `hookctl status --json`: one JSON object (version 1). */
char *hookengine_status_json(hookengine_context *context, const char *directory);

/** Releases a string returned by this API. NULL is ignored. */
void hookengine_free(char *string);

#ifdef __cplusplus
}
#endif
