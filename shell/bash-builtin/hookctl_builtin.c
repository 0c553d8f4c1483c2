/* hookctl_builtin.c: the `hookctl` loadable builtin for bash.
 *
 * The bash glue loads it by absolute path (`enable -f /abs/hookctl.so
 * hookctl`) and calls `hookctl __prompt` at each prompt and `hookctl __push`
 * from its WINCH trap. The prompt work happens inside bash: the checks that
 * decide whether anything changed are a few stat(2) calls here, and the
 * export itself is libhookengine's, in process, with the variables set
 * through bash's own functions. Nothing forks. Every other use of the name
 * (`hookctl status`, typed by the user) runs the hookctl program, exactly
 * as without the builtin.
 *
 * No threads are started; a subshell does nothing (the parent shell owns
 * the prompt); `enable -d hookctl` unloads it and the glue's shell code
 * takes over.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "builtins.h"
#include "shell.h"
#include "common.h"
#include "execute_cmd.h"

#include <hookengine.h>

/* readline lives inside Debian's bash and is exported to loadables. */
extern char *rl_prompt;
extern char *rl_display_prompt;
extern FILE *rl_outstream;
extern unsigned long rl_readline_state;
extern int rl_set_prompt(const char *);
extern int rl_forced_update_display(void);
extern int rl_on_new_line(void);
extern int rl_clear_visible_line(void);
/* Its history too: the line that just ran is the newest entry. */
typedef struct hookctl_hist_entry {
    char *line;
} hookctl_hist_entry;
extern hookctl_hist_entry *history_get(int);
extern int history_base;
extern int history_length;
#define HOOKCTL_RL_STATE_TERMPREPPED 0x0000004
#define HOOKCTL_RL_STATE_READCMD 0x0000008

extern char *decode_prompt_string(char *);
extern int get_current_prompt_level(void);
extern char *current_readline_prompt;
extern int no_line_editing;
extern int running_trap;
extern int trap_saved_exit_value;
extern int interactive_shell; /* `interactive` is 0 while a trap runs */
extern char **export_env;
extern void maybe_make_export_env(void);
extern int parse_and_execute(char *, const char *, int);

/* What the last prompt saw, to tell a prompt where nothing changed. */
static char *seen_pwd;
static char *seen_root;
static hookengine_context *engine;

static const char *variable(const char *name) {
    SHELL_VAR *found = find_global_variable(name);
    return found && !array_p(found) && !assoc_p(found) ? value_cell(found) : NULL;
}

static int modified_time(const char *path, struct timespec *time) {
    struct stat info;
    if (!path || stat(path, &info) != 0) return 0;
    *time = info.st_mtim;
    return 1;
}

static int time_differs(struct timespec a, struct timespec b) {
    return a.tv_sec != b.tv_sec || a.tv_nsec != b.tv_nsec;
}

static int time_after(struct timespec a, struct timespec b) {
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/* The nearest directory of `pwd` holding hookctl.toml (malloc'd), or NULL:
 * the glue's walk: drop the last component until none is left, then `/`. */
static char *find_root(const char *pwd) {
    size_t length = strlen(pwd);
    char *path = malloc(length + sizeof "/hookctl.toml");
    struct stat info;
    if (!path) return NULL;
    memcpy(path, pwd, length + 1);
    while (length > 0) {
        strcpy(path + length, "/hookctl.toml");
        if (stat(path, &info) == 0 && S_ISREG(info.st_mode)) {
            path[length] = '\0';
            return path;
        }
        path[length] = '\0';
        char *slash = strrchr(path, '/');
        length = slash ? (size_t)(slash - path) : 0;
        path[length] = '\0';
    }
    if (stat("/hookctl.toml", &info) == 0 && S_ISREG(info.st_mode)) {
        strcpy(path, "/");
        return path;
    }
    free(path);
    return NULL;
}

static int same(const char *a, const char *b) {
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Whether a file the approval covers changed since the shell's last export. */
static int watched_file_changed(void) {
    struct timespec stamp, modified;
    const char *list = variable("_hookctl_watch_stamp");
    char buffer[65536];
    ssize_t count;
    int fd, changed = 0;
    if (!modified_time(list, &stamp)) return 0;
    if ((fd = open(list, O_RDONLY | O_CLOEXEC)) < 0) return 0;
    count = read(fd, buffer, sizeof buffer - 1);
    close(fd);
    if (count <= 0) return 0;
    buffer[count] = '\0';
    for (char *file = buffer; file < buffer + count && !changed; file += strlen(file) + 1) {
        if (modified_time(file, &modified) && time_after(modified, stamp)) changed = 1;
    }
    return changed;
}

/* Whether this prompt must ask the engine: the same tests as the shell glue. */
static int something_changed(void) {
    const char *pwd = variable("PWD");
    const char *marker = variable("_hookctl_marker");
    const char *stamp_path = variable("_hookctl_stamp");
    struct timespec config_time, stamp_time;
    int changed = 0;
    if (!pwd) return 0;
    if (!same(pwd, seen_pwd)) {
        char *root = find_root(pwd);
        free(seen_pwd);
        seen_pwd = savestring(pwd);
        if (!same(root, seen_root)) changed = 1;
        free(seen_root);
        seen_root = root;
    }
    if (marker && access(marker, F_OK) == 0) changed = 1;
    if (!changed && seen_root) {
        size_t length = strlen(seen_root);
        char *config = malloc(length + sizeof "/hookctl.toml");
        if (config) {
            sprintf(config, "%s%s", strcmp(seen_root, "/") == 0 ? "" : seen_root, "/hookctl.toml");
            if (!modified_time(config, &config_time) || !modified_time(stamp_path, &stamp_time)
                || time_differs(config_time, stamp_time))
                changed = 1;
            free(config);
        }
        if (!changed) changed = watched_file_changed();
    }
    return changed;
}

/* Sets NAME=VALUE as a global, exported variable, as `declare -gx` would. */
static void set_variable(const char *name, const char *value) {
    SHELL_VAR *found = find_global_variable_noref(name); /* a nameref itself, not what it points to */
    if (found && (readonly_p(found) || nameref_p(found) || integer_p(found) || array_p(found) || assoc_p(found))) {
        fprintf(stderr, "hookctl: %s is readonly or not a plain variable in this shell; it was left unchanged\n", name);
        return;
    }
    found = bind_global_variable((char *)name, (char *)value, 0);
    if (!found) return;
    VSETATTR(found, att_exported);
    array_needs_making = 1;
    stupidly_hack_special_variables((char *)name); /* a new PATH empties the command hash */
}

static void unset_variable(const char *name) {
    SHELL_VAR *found = find_global_variable(name);
    if (!found) return;
    if (readonly_p(found) || non_unsettable_p(found)) {
        fprintf(stderr, "hookctl: %s is readonly in this shell; it was left set\n", name);
        return;
    }
    unbind_global_variable((char *)name);
    array_needs_making = 1;
    stupidly_hack_special_variables((char *)name);
}

/* Whether readline is waiting for a command line at the primary prompt (a
 * WINCH trap run from its input loop), so that the prompt can be redrawn. */
static int at_readline_prompt(void) {
    if (!interactive_shell || no_line_editing || subshell_environment) return 0;
    if ((rl_readline_state & HOOKCTL_RL_STATE_READCMD) == 0 || (rl_readline_state & HOOKCTL_RL_STATE_TERMPREPPED) == 0)
        return 0;
    if (get_current_prompt_level() != 1) return 0;
    return current_readline_prompt && rl_prompt && strcmp(current_readline_prompt, rl_prompt) == 0;
}

/* Erases the prompt and line readline drew, so that messages print above. */
static void erase_prompt(void) {
    int above = 0;
    for (const char *c = rl_display_prompt; c && *c; c++) above += *c == '\n';
    rl_clear_visible_line();
    if (above > 0) fprintf(rl_outstream, "\033[%dA", above);
    fputs("\r\033[J", rl_outstream);
    fflush(rl_outstream);
}

/* Expands PS1 again (with the $? the user saw) and redraws prompt and line. */
static void redraw_prompt(void) {
    char *ps1 = get_string_value("PS1"), *expanded;
    int saved = last_command_exit_value;
    if (running_trap > 0) last_command_exit_value = trap_saved_exit_value;
    expanded = decode_prompt_string(ps1 ? ps1 : "");
    last_command_exit_value = saved;
    if (expanded) {
        rl_set_prompt(expanded);
        free(current_readline_prompt);
        current_readline_prompt = expanded;
    }
    rl_on_new_line();
    rl_forced_update_display();
    fflush(rl_outstream);
}

/* `_hookctl_rules=(...)`: the intercept rules the glue walks at Enter. */
static void set_rules(const hookengine_plan *plan) {
    size_t size = sizeof "_hookctl_rules=()";
    char *code, *quoted;
    for (size_t i = 0; i < plan->rule_field_count; i++) size += 4 * strlen(plan->rule_fields[i]) + 3;
    code = xmalloc(size);
    strcpy(code, "_hookctl_rules=(");
    for (size_t i = 0; i < plan->rule_field_count; i++) {
        quoted = sh_single_quote((char *)plan->rule_fields[i]);
        if (i > 0) strcat(code, " ");
        strcat(code, quoted);
        free(quoted);
    }
    strcat(code, ")");
    parse_and_execute(code, "hookctl", SEVAL_NOHIST); /* frees code */
}

/* Whether `_hookctl_rules` already holds the plan's rules, field for field. */
static int same_rules(const hookengine_plan *plan) {
    SHELL_VAR *rules = find_global_variable("_hookctl_rules");
    ARRAY *fields;
    if (!rules || !array_p(rules)) return plan->rule_field_count == 0;
    fields = array_cell(rules);
    if ((size_t)array_num_elements(fields) != plan->rule_field_count) return 0;
    for (size_t i = 0; i < plan->rule_field_count; i++) {
        const char *field = array_reference(fields, (arrayind_t)i);
        if (!field || strcmp(field, plan->rule_fields[i]) != 0) return 0;
    }
    return 1;
}

/* Starts the shell's runner (through the glue) unless /proc shows it. */
static void ensure_runner(void) {
    const char *runner = variable("_hookctl_runner_pid");
    char process[64];
    snprintf(process, sizeof process, "/proc/%s", runner && *runner ? runner : "0");
    if (access(process, F_OK) != 0) parse_and_execute(savestring("_hookctl_runner_check"), "hookctl", SEVAL_NOHIST);
}

/* Asks the engine what to do now and does it: variables, messages. Returns
 * 1 when the hooks of the project just entered still run (the glue may show
 * their progress through the hookctl program), 0 otherwise, -1 on error. */
static int export_now(int redraw) {
    const char *pwd = variable("PWD");
    hookengine_plan *plan;
    int waiting, drawn = 0;
    if (!pwd) return -1;
    maybe_make_export_env();
    if (!engine) {
        engine = hookengine_context_new(pwd, (const char *const *)export_env, (int)dollar_dollar_pid, NULL,
                                        variable("_hookctl_bin"), NULL);
        if (!engine) return -1;
    } else if (hookengine_context_update(engine, pwd, (const char *const *)export_env) != 0) {
        return -1;
    }
    plan = hookengine_export_plan(engine);
    if (!plan) {
        char *reason = hookengine_last_error(engine);
        fprintf(stderr, "hookctl: %s\n", reason ? reason : "export failed; the environment was left unchanged");
        hookengine_free(reason);
        return -1;
    }
    if (redraw && plan->message_count > 0) {
        erase_prompt();
        drawn = 1;
    }
    for (size_t i = 0; i < plan->message_count; i++) fprintf(drawn ? rl_outstream : stderr, "hookctl: %s\n", plan->messages[i]);
    for (size_t i = 0; i < plan->variable_count; i++) {
        if (plan->variables[i].value) set_variable(plan->variables[i].name, plan->variables[i].value);
        else unset_variable(plan->variables[i].name);
    }
    waiting = (plan->transitions & HOOKENGINE_WAITING) && (plan->transitions & HOOKENGINE_ENTERED);
    /* What the glue's own code keeps: the events it hands over name the project. */
    bind_global_variable("_hookctl_root", seen_root ? seen_root : "", 0);
    /* The glue's own settings (not exported): _hookctl_arm adds or removes its
     * command hooks and Enter binding to match. Most exports change neither,
     * and the glue's functions cost more than the rest of an entry. */
    int rules_changed = plan->rule_field_count != SIZE_MAX && !same_rules(plan);
    if (rules_changed) set_rules(plan);
    if (plan->command_events) {
        const char *events = variable("_hookctl_events"), *armed = variable("_hookctl_armed");
        /* Rules but no Enter binding: line editing was off when the glue armed. */
        int unbound = strstr(plan->command_events, "rules") && !(armed && strchr(armed, 'r'));
        if (rules_changed || unbound || !events || strcmp(events, plan->command_events) != 0) {
            bind_global_variable("_hookctl_events", (char *)plan->command_events, 0);
            parse_and_execute(savestring("_hookctl_arm"), "hookctl", SEVAL_NOHIST);
        } else if (strstr(plan->command_events, "runner")) {
            ensure_runner(); /* the export handed events over */
        }
    }
    hookengine_plan_free(plan);
    if (redraw) redraw_prompt();
    return waiting;
}

/* While the hooks load, the supervisor keeps one line in this file. */
static void refresh_status(void) {
    const char *status = variable("HOOKCTL_STATUS"), *file = variable("_hookctl_status_file");
    char line[256];
    ssize_t count;
    int fd;
    if (!status || strncmp(status, "loading", 7) != 0 || !file) return;
    if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) return;
    count = read(fd, line, sizeof line - 1);
    close(fd);
    if (count <= 0) return;
    line[count] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (strcmp(line, status) != 0) set_variable("HOOKCTL_STATUS", line);
}

/* Appends the end of the command line PS0 noted to the shell's spool, as
 * the glue's own prompt function would (no fork, one write): the status
 * bash has for it, PIPESTATUS, the newest history entry and the duration. */
static void report_command_end(void) {
    const char *started = variable("_hookctl_started"), *armed = variable("_hookctl_armed");
    const char *spool = variable("_hookctl_spool");
    const char *sequence = variable("_hookctl_seq"), *root = variable("_hookctl_root"), *pwd = variable("PWD");
    SHELL_VAR *pipes = find_variable("PIPESTATUS");
    hookctl_hist_entry *entry = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    char *pipe_text = pipes && array_p(pipes) ? array_to_string(array_cell(pipes), " ", 0) : NULL;
    struct timespec now;
    long long elapsed = -1;
    FILE *file;
    if (!started || !*started) return;
    if (armed && strchr(armed, 'a') && spool && (file = fopen(spool, "ae"))) {
        clock_gettime(CLOCK_REALTIME, &now);
        elapsed = ((long long)now.tv_sec * 1000000 + now.tv_nsec / 1000 - atoll(started)) / 1000;
        fprintf(file, "A%c%s%c%d%c%s%c%lld%c%s%c%s%c%s%c", 0, sequence ? sequence : "0", 0, last_command_exit_value, 0,
                pipe_text ? pipe_text : "", 0, elapsed < 0 ? 0 : elapsed, 0, pwd ? pwd : "", 0, root ? root : "", 0,
                entry && entry->line ? entry->line : "", 0);
        fclose(file);
        ensure_runner();
    }
    free(pipe_text);
    bind_global_variable("_hookctl_started", "", 0);
    bind_global_variable("_hookctl_ready", "", 0);
}

/* `hookctl ARGS...` typed by the user: the hookctl program, as without the builtin. */
static int run_program(WORD_LIST *list) {
    const char *program = variable("_hookctl_bin");
    size_t size = 64;
    char *command, *quoted;
    int status;
    if (!program) {
        builtin_error("the hookctl program is unknown; load the shell integration again");
        return EXECUTION_FAILURE;
    }
    for (WORD_LIST *word = list; word; word = word->next) size += 4 * strlen(word->word->word) + 3;
    size += 4 * strlen(program);
    command = xmalloc(size);
    quoted = sh_single_quote((char *)program);
    strcpy(command, "\\command ");
    strcat(command, quoted);
    free(quoted);
    for (WORD_LIST *word = list; word; word = word->next) {
        quoted = sh_single_quote(word->word->word);
        strcat(command, " ");
        strcat(command, quoted);
        free(quoted);
    }
    status = parse_and_execute(command, "hookctl", SEVAL_NOHIST); /* frees command */
    return status;
}

int hookctl_builtin(WORD_LIST *list) {
    const char *action = list ? list->word->word : "";
    if (strcmp(action, "__prompt") == 0 || strcmp(action, "__push") == 0) {
        int push = action[2] == 'p' && action[3] == 'u';
        /* Always 0: bash restores $? after PROMPT_COMMAND and traps itself, and
         * a non-zero status there would end a shell running under `set -e`. */
        if (subshell_environment) return EXECUTION_SUCCESS; /* the parent shell owns the prompt */
        if (push) {
            const char *marker = variable("_hookctl_marker");
            if (!marker || access(marker, F_OK) != 0) return EXECUTION_SUCCESS; /* a real resize */
            something_changed();
            export_now(at_readline_prompt());
            return EXECUTION_SUCCESS;
        }
        report_command_end();
        if (variable("_hookctl_armed") && strchr(variable("_hookctl_armed"), 'r')) bind_global_variable("_hookctl_at_prompt", "1", 0);
        if (something_changed() && export_now(0) == 1) {
            /* Hooks of the project just entered run: unless told never to
             * wait, the program shows their progress (`b`, `c`) and applies. */
            const char *mode = variable("HOOKCTL_MODE");
            if (!mode || strcmp(mode, "background") != 0) parse_and_execute(savestring("_hookctl_export"), "hookctl", SEVAL_NOHIST);
        } else {
            refresh_status();
        }
        return EXECUTION_SUCCESS;
    }
    return run_program(list);
}

int hookctl_builtin_load(char *name) {
    (void)name;
    bind_global_variable("_hookctl_native", "1", 0);
    return 1;
}

/* `enable -d hookctl`: the glue's shell code takes the prompt back. */
void hookctl_builtin_unload(char *name) {
    (void)name;
    unbind_global_variable("_hookctl_native");
    unbind_global_variable("_hookctl_pwd"); /* the shell code looks at the directory afresh */
    parse_and_execute(savestring("PROMPT_COMMAND=(\"${PROMPT_COMMAND[@]//'\\builtin hookctl __prompt'/_hookctl_hook}\")"),
                      "hookctl", SEVAL_NOHIST);
    hookengine_context_free(engine);
    engine = NULL;
    free(seen_pwd);
    free(seen_root);
    seen_pwd = seen_root = NULL;
}

char *hookctl_doc[] = {
    "Run hookctl; the shell integration's prompt work, done inside bash.",
    "",
    "`hookctl ARGS` runs the hookctl program. The integration calls",
    "`hookctl __prompt` at each prompt and `hookctl __push` when hooks finish.",
    (char *)NULL,
};

struct builtin hookctl_struct = {
    "hookctl", hookctl_builtin, BUILTIN_ENABLED, hookctl_doc, "hookctl [COMMAND [ARGS...]]", 0,
};
