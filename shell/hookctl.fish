# hookctl shell integration for fish.
# Load it from ~/.config/fish/conf.d/hookctl.fish with:
#   hookctl shell init fish | source
#
# On each prompt this runs only fish builtins. It calls `hookctl export`
# (one fork) only when the nearest hookctl.toml changed with $PWD, when
# hookctl left a marker for this shell, or when the loaded hookctl.toml is
# newer than what this shell last saw.

set -g _hookctl_bin @HOOKCTL_BIN@
set -g _hookctl_marker @HOOKCTL_SHELLS_DIR@/$fish_pid.changed
set -g _hookctl_stamp @HOOKCTL_SHELLS_DIR@/$fish_pid.stamp
set -g _hookctl_watch_stamp @HOOKCTL_SHELLS_DIR@/$fish_pid.watch
set -g _hookctl_status_file @HOOKCTL_SHELLS_DIR@/$fish_pid.status
set -g _hookctl_spool @HOOKCTL_SHELLS_DIR@/$fish_pid.events
set -g _hookctl_runner_file @HOOKCTL_SHELLS_DIR@/$fish_pid.runner
# What the runner gets from this shell where it is now (the export keeps it
# current): "before" and "after" (command lines), "runner" (events wait).
set -g _hookctl_events @HOOKCTL_EVENTS@
set -g _hookctl_armed ''
set -g _hookctl_watch
set -q HOOKCTL_DIR; and set -g _hookctl_root $HOOKCTL_DIR; or set -g _hookctl_root ''
set -gx HOOKCTL_SHELL_INTEGRATION 1

# Prints the nearest directory holding hookctl.toml, or nothing.
function _hookctl_find_root
    set -l dir $PWD
    while test -n "$dir"
        if test -f "$dir/hookctl.toml"
            echo $dir
            return 0
        end
        set dir (string replace -r '/[^/]*$' '' -- $dir)
    end
    test -f /hookctl.toml; and echo /
end

function _hookctl_export
    if not test -x "$_hookctl_bin"
        if not set -q _hookctl_warned
            set -g _hookctl_warned 1
            printf 'hookctl: %s is missing; hooks are off until it is reinstalled\n' $_hookctl_bin >&2
        end
        return 0
    end
    # Evaluate the code only when export succeeded, as bash and zsh do.
    set -l code (HOOKCTL_SHELL_PID=$fish_pid $_hookctl_bin export fish)
    if test $status -eq 0
        printf '%s\n' $code | source
        _hookctl_arm
    else if not set -q _hookctl_warned
        set -g _hookctl_warned 1
        printf 'hookctl: export failed; the environment was left unchanged\n' >&2
    end
end

function _hookctl_hook --on-event fish_prompt
    set -l previous_status $status
    set -l run
    if test "$PWD" != "$_hookctl_pwd"
        set -g _hookctl_pwd $PWD
        set -g _hookctl_found (_hookctl_find_root)
        test "$_hookctl_found" != "$_hookctl_root"; and set run 1
    end
    test -e $_hookctl_marker; and set run 1
    # Any other modification time than the one last seen: an edit, or a copy
    # that kept an older time (cp -p, tar).
    if test -n "$_hookctl_root"
        test "$_hookctl_root/hookctl.toml" -nt $_hookctl_stamp; or test "$_hookctl_root/hookctl.toml" -ot $_hookctl_stamp; and set run 1
    end
    # The scripts the approval covers: an edit asks for approval at once.
    if test -z "$run"; and test -n "$_hookctl_root"
        for file in $_hookctl_watch
            if test "$file" -nt $_hookctl_watch_stamp
                set run 1
                break
            end
        end
    end
    if test -n "$run"
        set -g _hookctl_root "$_hookctl_found"
        _hookctl_export
    else if string match -q 'loading*' -- "$HOOKCTL_STATUS"
        # The supervisor keeps this one line current while the hooks load.
        read -gx HOOKCTL_STATUS <$_hookctl_status_file 2>/dev/null
    end
    return $previous_status
end

# Push: when the hooks this shell waits for finish, the supervisor leaves the
# marker and sends SIGWINCH; the environment is applied then and the prompt
# repainted, with the half-typed line kept. Other WINCH handlers still run.
function _hookctl_push --on-signal WINCH
    test "$HOOKCTL_PUSH" != 0; and test -e $_hookctl_marker; or return 0
    _hookctl_hook
    commandline -f repaint
end

# Per-shell hook points. Only while a hook point or [notify] applies where
# the shell is are fish_preexec and fish_postexec handlers defined; each
# event is one builtin printf to the shell's spool, and a runner process
# runs the hooks.
# Whether process $argv[1] runs (a process that ended but was not reaped is a zombie).
function _hookctl_alive
    test -n "$argv[1]"; and test -r /proc/$argv[1]/stat; or return 1
    read -l stat </proc/$argv[1]/stat 2>/dev/null
    not string match -q '*) Z *' -- "$stat"
end

function _hookctl_runner_check
    set -q _hookctl_runner_pid; and _hookctl_alive $_hookctl_runner_pid; and return 0
    set -g _hookctl_runner_pid
    test -r $_hookctl_runner_file; and read -g _hookctl_runner_pid <$_hookctl_runner_file
    _hookctl_alive "$_hookctl_runner_pid"; and return 0
    test -x "$_hookctl_bin"; or return 0
    HOOKCTL_SHELL=fish $_hookctl_bin __runner $fish_pid &
    set -g _hookctl_runner_pid $last_pid
    disown $last_pid 2>/dev/null
end

# Command interceptors. Only while an [[intercept]] rule applies where the
# shell is does the glue bind Enter (the default and vi insert modes; a
# binding of the user's own comes back when it unbinds): a rule sees the
# whole command line before fish runs it. Globs and regexes are matched
# here with string match -r (the export turned globs into anchored
# regexes); only a run rule starts a process.
@HOOKCTL_RULES@

# Sends a decision that is not a plain continue to the engine log, through the runner.
function _hookctl_decided
    printf 'I\0%s\0%s\0%s\0%s\0%s\0' $argv[1] $argv[2] $argv[3] $argv[4] $PWD >>$_hookctl_spool
    _hookctl_runner_check
end

function _hookctl_refuse
    printf '\nhookctl: %s\n' $argv[3] >&2
    _hookctl_decided $argv[1] cancel $argv[2] $argv[3]
end

# Walks _hookctl_rules over the line $argv[1]: sets _hookctl_line to what
# runs, or prints the reason and returns 1 to cancel.
function _hookctl_intercept
    set -l line $argv[1]
    # No rule matches (the alternation compiled when it was made).
    if set -q _hookctl_rule_any[1]; and not string match -rq -- $_hookctl_rule_any $line
        set -g _hookctl_line $line
        return 0
    end
    for i in $_hookctl_rule_index
        string match -rq -- $_hookctl_rule_regex[$i] $line 2>/dev/null; or continue
        set -l id $_hookctl_rule_id[$i]
        set -l action $_hookctl_rule_action[$i]
        set -l first $_hookctl_rule_first[$i]
        set -l second $_hookctl_rule_second[$i]
        set -l before $line
        switch $action
            case replace
                set line (string replace -- $first $second $line | string collect)
            case rewrite
                set line (string replace -a -- '{line}' $line $first | string collect)
            case cancel
                _hookctl_refuse $id $line $first
                return 1
            case confirm
                set -l answer
                if isatty stdin
                    printf '\nhookctl: %s [y/N] ' $first >&2
                    read -n 1 -P '' answer
                end
                if not string match -qi y -- "$answer"
                    _hookctl_decided $id cancel $line "not confirmed"
                    return 1
                end
                _hookctl_decided $id confirmed $line $first
            case run
                # A warning goes to stderr; on a line of its own, below the command line.
                set -l out (printf '%s' $line | HOOKCTL_SHELL_PID=$fish_pid $_hookctl_bin __intercept $id 2>&1 | string collect)
                set -l code $pipestatus[2]
                if test $code -eq 2
                    printf '\n%s' $out >&2
                    set out ''
                end
                if test $code -eq 1
                    printf '\nhookctl: %s\n' $out >&2
                    return 1
                end
                test $code -eq 0; and test -n "$out"; and set line $out
            case wait
                if string match -q 'loading*' -- "$HOOKCTL_STATUS"
                    echo >&2
                    HOOKCTL_WAIT=1 _hookctl_export
                    if test "$HOOKCTL_STATUS" != loaded
                        _hookctl_refuse $id $line "not run: the project's hooks did not finish ($HOOKCTL_STATUS); press Enter to run it anyway"
                        return 1
                    end
                end
        end
        if not string length -q -- (string trim -- $line)
            _hookctl_refuse $id $before "the rule '$id' left an empty line; nothing was run"
            return 1
        end
        test "$line" = "$before"; or test $action = run; or _hookctl_decided $id rewrite $before $line
    end
    set -g _hookctl_line $line
end

# Enter while rules apply: a complete line goes through them; the pager,
# an incomplete line and an empty one pass through.
function _hookctl_enter
    set -l line (commandline | string collect)
    if commandline --paging-mode; or not commandline --is-valid; or not string length -q -- (string trim -- $line)
        commandline -f execute
        return
    end
    if _hookctl_intercept $line
        test "$_hookctl_line" = "$line"; or commandline -r -- $_hookctl_line
        commandline -f execute
    else
        commandline -f repaint
    end
end

# The rules as one list per field (six fields a rule in _hookctl_rules: id,
# glob, regex, action, two arguments), so that Enter walks them without math.
function _hookctl_rule_columns
    set -g _hookctl_rule_index
    set -g _hookctl_rule_id
    set -g _hookctl_rule_regex
    set -g _hookctl_rule_action
    set -g _hookctl_rule_first
    set -g _hookctl_rule_second
    set -l i 1
    while test (math $i + 5) -le (count $_hookctl_rules)
        set -a _hookctl_rule_id $_hookctl_rules[$i]
        set -a _hookctl_rule_regex $_hookctl_rules[(math $i + 2)]
        set -a _hookctl_rule_action $_hookctl_rules[(math $i + 3)]
        set -a _hookctl_rule_first $_hookctl_rules[(math $i + 4)]
        set -a _hookctl_rule_second $_hookctl_rules[(math $i + 5)]
        set -a _hookctl_rule_index (count $_hookctl_rule_id)
        set i (math $i + 6)
    end
    # The regexes as one alternation, so that a line no rule matches costs one
    # test: not when one refers back to a group (\1, \g1, \k<name>: the
    # numbers would shift), nor when fish's PCRE2 cannot compile the whole
    # (`\Q` quotes to the end; glibc's ERE takes a lone `)` that PCRE2 refuses).
    set -g _hookctl_rule_any
    if set -q _hookctl_rule_regex[1]; and not string match -qr '\\\\[0-9gkQ]' -- $_hookctl_rule_regex
        set -l any '(?:'(string join ')|(?:' -- $_hookctl_rule_regex)')'
        string match -rq -- $any '' 2>/dev/null
        test $status -le 1; and set -g _hookctl_rule_any $any
    end
end

# Binds or unbinds Enter in the default and insert modes.
function _hookctl_bind_enter
    for mode in default insert
        for key in \r \n
            set -l saved _hookctl_saved_{$mode}_(string escape --style=var -- $key)
            if test $argv[1] = on
                set -g $saved (bind -M $mode $key 2>/dev/null | string match -v -- '*--preset*')
                bind -M $mode $key _hookctl_enter
            else
                bind -e -M $mode $key
                test -n "$$saved"; and eval $$saved
                set -e $saved
            end
        end
    end
end

# Adds or removes the event handlers to match _hookctl_events.
function _hookctl_arm
    string match -q '*runner*' -- "$_hookctl_events"; and _hookctl_runner_check
    set -l want ''
    string match -q '*before*' -- "$_hookctl_events"; and set want "$want"b
    string match -q '*after*' -- "$_hookctl_events"; and set want "$want"a
    string match -q '*rules*' -- "$_hookctl_events"; and set want "$want"r
    _hookctl_rule_columns
    test "$want" = "$_hookctl_armed"; and return 0
    if string match -q '*r*' -- $want; and not string match -q '*r*' -- "$_hookctl_armed"
        _hookctl_bind_enter on
    else if not string match -q '*r*' -- $want; and string match -q '*r*' -- "$_hookctl_armed"
        _hookctl_bind_enter off
    end
    set -g _hookctl_armed $want
    # Only the handlers a point needs: each event handler costs a function call per line.
    functions -e _hookctl_preexec _hookctl_postexec
    # One stat is the check for the runner on each line: /proc/PID/exe
    # resolves for a running process only, not for a zombie fish has not
    # reaped yet. A missing runner is started again; the events wait in the
    # spool meanwhile.
    if string match -q '*b*' -- $want
        function _hookctl_preexec --on-event fish_preexec
            # No number: the runner numbers fish's command lines itself (math would cost more than the rest).
            printf 'B\0\0%s\0%s\0%s\0' $PWD "$_hookctl_root" "$argv[1]" >>$_hookctl_spool
            test -e "/proc/$_hookctl_runner_pid/exe"; or _hookctl_runner_check
        end
    end
    if string match -q '*a*' -- $want
        function _hookctl_postexec --on-event fish_postexec
            # One statement, or the first would reset $pipestatus.
            set -l statuses $status $pipestatus
            printf 'A\0\0%s\0%s\0%s\0%s\0%s\0%s\0' $statuses[1] "$statuses[2..-1]" $CMD_DURATION $PWD "$_hookctl_root" "$argv[1]" >>$_hookctl_spool
            test -e "/proc/$_hookctl_runner_pid/exe"; or _hookctl_runner_check
        end
    end
end

_hookctl_arm
