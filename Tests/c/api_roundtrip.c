/*
 * Drives libhookengine through its whole C API as a host would:
 *   api_roundtrip PROJECT OUTSIDE HOOKCTL
 * with HOME and HOOKCTL_STATE_DIR set in its environment. Each step prints
 * one line the integration test reads; any failure exits 1 with the reason.
 */
#include <hookengine.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define MAX_VARS 256

/* The host's own copy of its environment, changed as plans say. */
static char *vars[MAX_VARS + 1];

static void env_init(void) {
    size_t n = 0;
    for (char **e = environ; *e && n < MAX_VARS; e++) vars[n++] = strdup(*e);
    vars[n] = NULL;
}

static void env_set(const char *name, const char *value) {
    size_t len = strlen(name), i = 0;
    for (; vars[i]; i++) {
        if (strncmp(vars[i], name, len) == 0 && vars[i][len] == '=') break;
    }
    if (vars[i]) {
        free(vars[i]);
        if (!value) {
            for (; vars[i]; i++) vars[i] = vars[i + 1];
            return;
        }
    } else if (!value || i == MAX_VARS) {
        return;
    } else {
        vars[i + 1] = NULL;
    }
    vars[i] = malloc(len + strlen(value) + 2);
    sprintf(vars[i], "%s=%s", name, value);
}

static void env_free(void) {
    for (size_t i = 0; vars[i]; i++) free(vars[i]);
}

static void fail(hookengine_context *context, const char *step) {
    char *error = hookengine_last_error(context);
    printf("FAIL %s: %s\n", step, error ? error : "(no error)");
    hookengine_free(error);
    exit(1);
}

/* Prints a message-returning call's result; returns whether it succeeded. */
static int report(hookengine_context *context, const char *step, char *message) {
    if (!message) {
        char *error = hookengine_last_error(context);
        printf("%s-error %s\n", step, error ? error : "(none)");
        hookengine_free(error);
        return 0;
    }
    printf("%s %s\n", step, message);
    hookengine_free(message);
    return 1;
}

static void print_plan(const char *step, const hookengine_plan *plan) {
    printf("%s transitions=%u", step, plan->transitions);
    if (plan->left) printf(" left=%s", plan->left);
    if (plan->entered) printf(" entered=%s", plan->entered);
    printf("\n");
    for (size_t i = 0; i < plan->variable_count; i++) {
        const hookengine_variable *v = &plan->variables[i];
        if (strncmp(v->name, "HOOKCTL_", 8) == 0) {
            printf("%s internal %s\n", step, v->name);
        } else if (v->value) {
            printf("%s set %s=%s\n", step, v->name, v->value);
        } else {
            printf("%s unset %s\n", step, v->name);
        }
    }
    for (size_t i = 0; i < plan->message_count; i++) printf("%s message %s\n", step, plan->messages[i]);
}

static void apply(const hookengine_plan *plan) {
    for (size_t i = 0; i < plan->variable_count; i++) env_set(plan->variables[i].name, plan->variables[i].value);
}

static int threads(void) {
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    int count = -1;
    while (status && fgets(line, sizeof line, status)) {
        if (sscanf(line, "Threads: %d", &count) == 1) break;
    }
    if (status) fclose(status);
    return count;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: api_roundtrip PROJECT OUTSIDE HOOKCTL\n");
        return 2;
    }
    const char *project = argv[1], *outside = argv[2], *hookctl = argv[3];
    printf("version %s abi %d header-abi %d\n", hookengine_version(), hookengine_abi_version(), HOOKENGINE_ABI_VERSION);
    env_init();
    env_set("PWD", project);

    char *error = NULL;
    hookengine_context *context =
        hookengine_context_new(project, (const char *const *)vars, (int)getpid(), NULL, hookctl, &error);
    if (!context) {
        printf("FAIL context: %s\n", error);
        return 1;
    }

    hookengine_plan *plan = hookengine_export_plan(context);
    if (!plan) fail(context, "export-before-allow");
    print_plan("unapproved", plan);
    hookengine_plan_free(plan);

    if (!report(context, "allow", hookengine_allow(context, NULL))) return 1;

    plan = hookengine_export_plan(context);
    if (!plan) fail(context, "export-enter");
    print_plan("enter", plan);
    int waiting = (plan->transitions & HOOKENGINE_WAITING) != 0;
    apply(plan);
    hookengine_plan_free(plan);
    if (hookengine_context_update(context, project, (const char *const *)vars) != 0) fail(context, "update");

    /* The hooks run in a supervisor; ask for the status until they ended. */
    for (int i = 0; waiting && i < 200; i++) {
        char *json = hookengine_status_json(context, NULL);
        if (!json) fail(context, "status-poll");
        waiting = strstr(json, "\"state\": \"running\"") != NULL;
        hookengine_free(json);
        if (waiting) usleep(50000);
    }
    char *json = hookengine_status_json(context, NULL);
    if (!json) fail(context, "status");
    printf("status %s\n", json);
    hookengine_free(json);

    plan = hookengine_export_plan(context);
    if (!plan) fail(context, "export-applied");
    print_plan("applied", plan);
    apply(plan);
    hookengine_plan_free(plan);

    /* The same export rendered for a shell, at a prompt where nothing changed. */
    if (hookengine_context_update(context, project, (const char *const *)vars) != 0) fail(context, "update");
    char *messages = NULL;
    char *code = hookengine_export(context, "bash", &messages);
    if (!code) fail(context, "export-bash");
    printf("unchanged code=%zu messages=%zu\n", strlen(code), strlen(messages));
    hookengine_free(code);
    hookengine_free(messages);

    report(context, "load", hookengine_load(context, NULL));
    report(context, "cancel", hookengine_cancel(context, NULL));

    env_set("PWD", outside);
    if (hookengine_context_update(context, outside, (const char *const *)vars) != 0) fail(context, "update");
    plan = hookengine_export_plan(context);
    if (!plan) fail(context, "export-leave");
    print_plan("leave", plan);
    apply(plan);
    hookengine_plan_free(plan);

    if (!report(context, "deny", hookengine_deny(context, project))) return 1;

    /* Bad input is an error with a sentence, never a crash. */
    report(context, "unknown-shell", hookengine_export(context, "tcsh", NULL));
    report(context, "not-a-project", hookengine_status_json(context, "/"));
    report(context, "missing-directory", hookengine_allow(context, "/no/such/directory"));
    report(context, "invalid-utf8", hookengine_allow(context, "\xff\xfe"));
    printf("update-missing %d\n", hookengine_context_update(context, "/no/such/directory", NULL));
    printf("update-relative %d\n", hookengine_context_update(context, "relative/dir", NULL));
    printf("null-context %s\n", hookengine_export_plan(NULL) == NULL && hookengine_allow(NULL, NULL) == NULL ? "refused" : "accepted");
    char *null_error = hookengine_last_error(NULL);
    printf("null-context-error %s\n", null_error);
    hookengine_free(null_error);
    hookengine_context *missing = hookengine_context_new("/no/such/directory", NULL, 0, NULL, NULL, &error);
    printf("context-missing %s: %s\n", missing ? "created" : "refused", error ? error : "");
    hookengine_free(error);
    missing = hookengine_context_new(NULL, NULL, 0, NULL, NULL, NULL);
    printf("context-null %s\n", missing ? "created" : "refused");
    hookengine_free(NULL);
    hookengine_plan_free(NULL);
    hookengine_context_free(NULL);

    hookengine_context_free(context);
    printf("threads %d\n", threads());
    env_free();
    printf("done\n");
    return 0;
}
