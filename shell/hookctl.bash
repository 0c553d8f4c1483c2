# hookctl shell integration for bash.
# Load it from ~/.bashrc with:  eval "$(hookctl shell init bash)"
#
# On each prompt this runs only shell builtins. It calls `hookctl export`
# (one fork) only when the nearest hookctl.toml changed with $PWD, when
# hookctl left a marker for this shell, or when the loaded hookctl.toml is
# newer than what this shell last saw.

_hookctl_bin=@HOOKCTL_BIN@
_hookctl_marker=@HOOKCTL_SHELLS_DIR@/$$.changed
_hookctl_stamp=@HOOKCTL_SHELLS_DIR@/$$.stamp
_hookctl_watch_stamp=@HOOKCTL_SHELLS_DIR@/$$.watch
_hookctl_status_file=@HOOKCTL_SHELLS_DIR@/$$.status
_hookctl_builtin=@HOOKCTL_BUILTIN@
_hookctl_spool=@HOOKCTL_SHELLS_DIR@/$$.events
_hookctl_runner_file=@HOOKCTL_SHELLS_DIR@/$$.runner
# What the runner gets from this shell where it is now (the export keeps it
# current): "before" and "after" (command lines), "runner" (events wait).
_hookctl_events=@HOOKCTL_EVENTS@
_hookctl_watch=()
_hookctl_root=${HOOKCTL_DIR-}
export HOOKCTL_SHELL_INTEGRATION=1

# Sets _hookctl_found to the nearest directory holding hookctl.toml, or ''.
_hookctl_find_root() {
  \builtin local dir="$PWD"
  while [[ -n $dir ]]; do
    if [[ -f $dir/hookctl.toml ]]; then
      _hookctl_found=$dir
      \builtin return 0
    fi
    dir=${dir%/*}
  done
  if [[ -f /hookctl.toml ]]; then _hookctl_found=/; else _hookctl_found=; fi
}

_hookctl_export() {
  \builtin local code
  if [[ ! -x $_hookctl_bin ]]; then
    if [[ -z ${_hookctl_warned-} ]]; then
      _hookctl_warned=1
      \builtin printf 'hookctl: %s is missing; hooks are off until it is reinstalled\n' "$_hookctl_bin" >&2
    fi
    \builtin return 0
  fi
  # Without the builtin bash cannot redraw a pushed prompt: no SIGWINCH for it.
  \builtin local push=0
  [[ -n ${_hookctl_native-} ]] && push=${HOOKCTL_PUSH-1}
  if code=$(HOOKCTL_PUSH=$push HOOKCTL_SHELL_PID=$$ "$_hookctl_bin" export bash); then
    \builtin eval "$code"
    _hookctl_arm
  elif [[ -z ${_hookctl_warned-} ]]; then
    _hookctl_warned=1
    \builtin printf 'hookctl: export failed; the environment was left unchanged\n' >&2
  fi
}

# The prompt's hook. bash copies a function's whole body on every call, so
# this one stays small: what is rare (a changed directory, a marker, an edited
# hookctl.toml, a line's end) is a call to a function of its own.
_hookctl_hook() {
  # $? is the user's last status: PROMPT_COMMAND runs this first; the push
  # trap calls it after a test, when that status no longer matters.
  # shellcheck disable=SC2319
  \builtin local previous_exit_status=$? pipe_status=${_hookctl_started:+"${PIPESTATUS[*]}"}
  # A command line ran (PS0 noted when): hand its end to the runner.
  [[ -z ${_hookctl_started-} ]] || _hookctl_ended "$previous_exit_status" "$pipe_status"
  # The next Enter is at the primary prompt: the intercept rules see its line.
  _hookctl_at_prompt=1
  if [[ -n ${_hookctl_native-} ]]; then
    # The builtin does the same work inside bash (and PROMPT_COMMAND calls it
    # directly once it is loaded).
    \builtin hookctl __prompt
  elif [[ $PWD != "${_hookctl_pwd-}" || -e $_hookctl_marker ]] || [[ -n $_hookctl_root &&
    ($_hookctl_root/hookctl.toml -nt $_hookctl_stamp || $_hookctl_root/hookctl.toml -ot $_hookctl_stamp) ]]; then
    # Any other modification time than the one last seen: an edit, or a copy
    # that kept an older time (cp -p, tar).
    _hookctl_check
  elif [[ -n $_hookctl_root && -n ${_hookctl_watch[0]-} ]] && _hookctl_watch_changed; then
    _hookctl_root=${_hookctl_found-}
    _hookctl_export
  elif [[ ${HOOKCTL_STATUS-} == loading* ]]; then
    # The supervisor keeps this one line current while the hooks load.
    \builtin read -r HOOKCTL_STATUS 2>/dev/null <"$_hookctl_status_file"
  fi
  \builtin return "$previous_exit_status"
}

# Something may have changed since the last prompt: runs the export if it did.
_hookctl_check() {
  \builtin local run=
  if [[ $PWD != "${_hookctl_pwd-}" ]]; then
    _hookctl_pwd=$PWD
    _hookctl_find_root
    [[ $_hookctl_found == "$_hookctl_root" ]] || run=1
  fi
  if [[ -e $_hookctl_marker ]]; then
    run=1
  elif [[ -n $_hookctl_root ]]; then
    if [[ $_hookctl_root/hookctl.toml -nt $_hookctl_stamp || $_hookctl_root/hookctl.toml -ot $_hookctl_stamp ]] ||
      _hookctl_watch_changed; then
      run=1
    fi
  fi
  if [[ -n $run ]]; then
    _hookctl_root=${_hookctl_found-}
    _hookctl_export
  elif [[ ${HOOKCTL_STATUS-} == loading* ]]; then
    \builtin read -r HOOKCTL_STATUS 2>/dev/null <"$_hookctl_status_file"
  fi
}

# Whether a script the approval covers was edited since the last export
# (which then asks for approval at once).
_hookctl_watch_changed() {
  \builtin local file
  for file in "${_hookctl_watch[@]}"; do
    [[ $file -nt $_hookctl_watch_stamp ]] && \builtin return 0
  done
  \builtin return 1
}

# Hands the end of a command line (status $1, pipeline statuses $2) to the runner.
_hookctl_ended() {
  if [[ $_hookctl_armed == *a* ]]; then
    {
      \builtin printf 'a\0%s\0%s\0%s\0%s %s\0%s\0%s\0' "${_hookctl_seq-0}" "$1" "$2" \
        "$_hookctl_started" "$EPOCHREALTIME" "$PWD" "$_hookctl_root"
      if [[ -n ${HISTTIMEFORMAT-} ]]; then HISTTIMEFORMAT='' \builtin history 1; else \builtin history 1; fi
      \builtin printf '\0'
    } >>"$_hookctl_spool"
    [[ -e /proc/${_hookctl_runner_pid:-0} ]] || _hookctl_runner_check
  fi
  _hookctl_started='' _hookctl_ready=''
}

# Per-shell hook points. Only while a hook point or [notify] applies where
# the shell is does the glue add anything: PS0 notes when a command line
# starts (an arithmetic subscript, no fork), a DEBUG trap reports its start
# for beforeCommand, and the prompt reports its end. Each event is one
# builtin printf to the shell's spool; a runner process runs the hooks.
_hookctl_ps0_slot=()
# shellcheck disable=SC2016 # expanded by bash when it shows PS0 and runs the trap
# PS0 notes the start time in microseconds and counts the line, expanding
# to nothing; the end goes to the runner as the shell's clock prints it.
_hookctl_ps0='${_hookctl_ps0_slot[_hookctl_started=${EPOCHREALTIME/[.,]/},_hookctl_ready=1,_hookctl_seq+=1,0]}'
# shellcheck disable=SC2016
_hookctl_debug='[[ -z ${_hookctl_ready-} ]] || _hookctl_before'

# Records start with a letter and have NUL-ended fields; bash's own history
# line (`history 1`) is the command line, as typed, also across lines.
# Whether the runner still runs costs one stat of /proc (bash reaps it, so a
# dead runner has no entry there); a missing one is started again, and the
# events wait in the spool meanwhile.
_hookctl_before() {
  _hookctl_ready=
  [[ -n ${COMP_LINE-} || -n ${READLINE_LINE-} ]] && \builtin return 0
  {
    \builtin printf 'b\0%s\0%s\0%s\0' "${_hookctl_seq-0}" "$PWD" "$_hookctl_root"
    if [[ -n ${HISTTIMEFORMAT-} ]]; then HISTTIMEFORMAT='' \builtin history 1; else \builtin history 1; fi
    \builtin printf '\0'
  } >>"$_hookctl_spool"
  [[ -e /proc/${_hookctl_runner_pid:-0} ]] || _hookctl_runner_check
}

# Whether process $1 runs (a process that ended but was not reaped is a zombie).
_hookctl_alive() {
  [[ -n $1 && -r /proc/$1/stat ]] || \builtin return 1
  \builtin local stat
  \builtin read -r stat </proc/"$1"/stat 2>/dev/null
  [[ $stat != *") Z "* ]]
}

# Starts this shell's runner unless it runs (a fork, once per shell, or
# after the runner was killed: the events in the spool wait for it).
_hookctl_runner_check() {
  [[ -n ${_hookctl_runner_pid-} && -e /proc/$_hookctl_runner_pid ]] && \builtin return 0
  _hookctl_runner_pid=
  [[ -r $_hookctl_runner_file ]] && \builtin read -r _hookctl_runner_pid <"$_hookctl_runner_file"
  _hookctl_alive "$_hookctl_runner_pid" && \builtin return 0
  [[ -x $_hookctl_bin ]] || \builtin return 0
  { HOOKCTL_SHELL=bash "$_hookctl_bin" __runner $$ & } 2>/dev/null
  _hookctl_runner_pid=$!
  \builtin disown "$_hookctl_runner_pid" 2>/dev/null
}

# Adds or removes the command hooks to match _hookctl_events.
_hookctl_arm() {
  [[ $_hookctl_events == *runner* ]] && _hookctl_runner_check
  \builtin local want=''
  [[ $_hookctl_events == *before* ]] && want+=b
  [[ $_hookctl_events == *after* ]] && want+=a
  [[ $_hookctl_events == *rules* && -o emacs || $_hookctl_events == *rules* && -o vi ]] && want+=r
  _hookctl_rule_columns
  [[ $want == "${_hookctl_armed-}" ]] && \builtin return 0
  if [[ $want == *r* && ${_hookctl_armed-} != *r* ]]; then _hookctl_bind_enter on
  elif [[ $want != *r* && ${_hookctl_armed-} == *r* ]]; then _hookctl_bind_enter off
  fi
  _hookctl_armed=$want
  PS0=${PS0//"$_hookctl_ps0"/}
  [[ $want == *[ab]* ]] && PS0=$_hookctl_ps0${PS0-}
  _hookctl_started=
  _hookctl_ready=
  if [[ -n ${bash_preexec_imported-}${__bp_imported-} ]]; then
    # bash-preexec owns the DEBUG trap: hand the start over through it.
    \builtin local name
    \builtin local -a kept
    for name in "${preexec_functions[@]}"; do [[ $name == _hookctl_before ]] || kept+=("$name"); done
    [[ $want == *b* ]] && kept+=(_hookctl_before)
    preexec_functions=("${kept[@]}")
  elif [[ $want == *b* && -z ${_hookctl_debug_armed-} ]]; then
    # Inside a function bash neither shows nor keeps a DEBUG trap unless the
    # function has the trace attribute: the functions that lead here get it
    # while the trap is ours, so that disarming sees and removes it. A DEBUG
    # trap of the user's that was there when the glue loaded runs first.
    \builtin trap -- "${_hookctl_previous_debug:+$_hookctl_previous_debug$'\n'}$_hookctl_debug" DEBUG
    \builtin declare -ft _hookctl_hook _hookctl_check _hookctl_export _hookctl_arm _hookctl_winch _hookctl_enter _hookctl_intercept _hookctl_apply
    _hookctl_debug_armed=1
  elif [[ $want != *b* && -n ${_hookctl_debug_armed-} ]]; then
    if [[ -n ${_hookctl_previous_debug-} ]]; then \builtin trap -- "$_hookctl_previous_debug" DEBUG; else \builtin trap - DEBUG; fi
    \builtin declare -f +t _hookctl_hook _hookctl_check _hookctl_export _hookctl_arm _hookctl_winch _hookctl_enter _hookctl_intercept _hookctl_apply
    _hookctl_debug_armed=
  fi
}

# Command interceptors. Only while an [[intercept]] rule applies where the
# shell is does the glue bind Enter (emacs, vi-insert and vi-command
# keymaps): Enter runs _hookctl_enter (bind -x on a private key sequence)
# and then accept-line (another one), so that a rule sees the whole first
# line before bash does. Globs are matched here with ==, regexes with =~;
# only a run rule starts a process.
@HOOKCTL_RULES@
_hookctl_refused=

# Sends a decision that is not a plain continue to the engine log, through the runner.
_hookctl_decided() {
  \builtin printf 'I\0%s\0%s\0%s\0%s\0%s\0' "$1" "$2" "$3" "$4" "$PWD" >>"$_hookctl_spool"
  _hookctl_runner_check
}

_hookctl_refuse() {
  \builtin printf 'hookctl: %s\n' "$3" >&2
  _hookctl_decided "$1" cancel "$2" "$3"
}

# Walks the rules over the line $1: sets _hookctl_line to what runs, or
# prints the reason and returns 1 to cancel. A line no rule matches costs
# one pattern test per rule.
_hookctl_intercept() {
  _hookctl_line=$1
  # shellcheck disable=SC2053 # a pattern, on purpose
  [[ -z $_hookctl_rule_any || $_hookctl_line == $_hookctl_rule_any ]] || \builtin return 0
  \builtin local pattern index=-1
  for pattern in "${_hookctl_rule_match[@]}"; do
    index=$((index + 1))
    # A glob matches with ==, which compiles nothing (the export escaped it);
    # a regex rule's pattern is * and its ERE decides.
    # shellcheck disable=SC2053
    [[ $_hookctl_line == $pattern ]] || \builtin continue
    [[ -z ${_hookctl_rule_regex[index]} || $_hookctl_line =~ ${_hookctl_rule_regex[index]} ]] || \builtin continue
    _hookctl_apply "$index" || \builtin return 1
  done
}

# Rule $1 matched _hookctl_line: does what it says; 1 cancels.
_hookctl_apply() {
  \builtin local line="$_hookctl_line" before="$_hookctl_line" id="${_hookctl_rule_id[$1]}" action="${_hookctl_rule_action[$1]}"
  \builtin local first="${_hookctl_rule_first[$1]}" second="${_hookctl_rule_second[$1]}" out status answer
  case $action in
    replace) line=${line/"$first"/"$second"} ;;
    rewrite) line=${first//"{line}"/"$line"} ;;
    cancel) _hookctl_refuse "$id" "$line" "$first"; \builtin return 1 ;;
    confirm)
      answer=
      if [[ -t 0 ]]; then
        \builtin printf 'hookctl: %s [y/N] ' "$first" >&2
        \builtin read -rsn1 answer
        \builtin printf '%s\n' "$answer" >&2
      fi
      if [[ $answer != [yY] ]]; then _hookctl_decided "$id" cancel "$line" "not confirmed"; \builtin return 1; fi
      _hookctl_decided "$id" confirmed "$line" "$first"
      ;;
    run)
      out=$(\builtin printf '%s' "$line" | HOOKCTL_SHELL_PID=$$ "$_hookctl_bin" __intercept "$id")
      status=$?
      if [[ $status == 1 ]]; then \builtin printf 'hookctl: %s\n' "$out" >&2; \builtin return 1; fi
      [[ $status == 0 && -n $out ]] && line=$out
      ;;
    wait)
      if [[ ${HOOKCTL_STATUS-} == loading* ]]; then
        HOOKCTL_WAIT=1 _hookctl_export
        if [[ ${HOOKCTL_STATUS-} != loaded ]]; then
          _hookctl_refuse "$id" "$line" "not run: the project's hooks did not finish (${HOOKCTL_STATUS:-unloaded}); press Enter to run it anyway"
          \builtin return 1
        fi
      fi
      ;;
  esac
  if [[ -z ${line//[[:space:]]/} ]]; then
    _hookctl_refuse "$id" "$before" "the rule '$id' left an empty line; nothing was run"
    \builtin return 1
  fi
  [[ $line == "$before" || $action == run ]] || _hookctl_decided "$id" rewrite "$before" "$line"
  _hookctl_line=$line
}

# The rules as one array per field (six fields a rule in _hookctl_rules: id,
# glob as a pattern, ERE, action, two arguments): Enter then walks one array.
# When every rule is a glob without a [set], they also make one pattern,
# @(glob|glob|...) (`==` matches as if extglob were on), so that a line no
# rule matches costs one test.
_hookctl_rule_columns() {
  _hookctl_rule_match=() _hookctl_rule_regex=() _hookctl_rule_id=() _hookctl_rule_action=()
  _hookctl_rule_first=() _hookctl_rule_second=() _hookctl_rule_any=
  \builtin local i any=1
  # shellcheck disable=SC2154 # set where the glue is generated, and by each export
  for ((i = 0; i + 5 < ${#_hookctl_rules[@]}; i += 6)); do
    _hookctl_rule_id+=("${_hookctl_rules[i]}")
    if [[ -n ${_hookctl_rules[i + 1]} ]]; then
      _hookctl_rule_match+=("${_hookctl_rules[i + 1]}") _hookctl_rule_regex+=("")
      [[ ${_hookctl_rules[i + 1]} != *[* ]] || any=
    else
      _hookctl_rule_match+=("*") _hookctl_rule_regex+=("${_hookctl_rules[i + 2]}") any=
    fi
    _hookctl_rule_action+=("${_hookctl_rules[i + 3]}") _hookctl_rule_first+=("${_hookctl_rules[i + 4]}")
    _hookctl_rule_second+=("${_hookctl_rules[i + 5]}")
  done
  if [[ -n $any && ${#_hookctl_rule_match[@]} -gt 0 ]]; then
    \builtin local IFS='|'
    _hookctl_rule_any="@(${_hookctl_rule_match[*]})"
  fi
}

# Enter, while rules apply: the first line at the primary prompt goes
# through the rules; continuation lines and an empty line pass through.
_hookctl_enter() {
  [[ -n ${_hookctl_at_prompt-} && -n ${READLINE_LINE//[[:space:]]/} ]] || \builtin return 0
  if _hookctl_intercept "$READLINE_LINE"; then
    _hookctl_at_prompt=
    [[ $READLINE_LINE == "$_hookctl_line" ]] || READLINE_LINE=$_hookctl_line READLINE_POINT=${#_hookctl_line}
    [[ -z $_hookctl_refused ]] || _hookctl_accept_with accept-line
  else
    # The line stays in the editor; the accept-line half of Enter only redraws.
    [[ -n $_hookctl_refused ]] || _hookctl_accept_with redraw-current-line
    # 124: bash draws the prompt and the line again below what was printed.
    \builtin return 124
  fi
}

# What the second half of Enter does: accept-line, or (after a cancel) redraw-current-line.
_hookctl_accept_with() {
  \builtin local map
  for map in emacs vi-insert vi-command; do \builtin bind -m "$map" "\"\\C-x\\C-_a\": $1"; done
  if [[ $1 == accept-line ]]; then _hookctl_refused=; else _hookctl_refused=1; fi
}

# Binds or unbinds Enter; an Enter binding of the user's own comes back on unbinding.
_hookctl_bind_enter() {
  \builtin local map line key commands
  for map in emacs vi-insert vi-command; do
    if [[ $1 == on ]]; then
      # Functions (-p), macros (-s) and commands (-X) bound to Enter, as bind reads them back.
      {
        \builtin bind -m "$map" -p
        \builtin bind -m "$map" -s
        \builtin printf '%s\n' '# bind -x'
        \builtin bind -m "$map" -X
      } >|"$_hookctl_spool.keys" 2>/dev/null
      commands=
      while \builtin read -r line; do
        if [[ $line == '# bind -x' ]]; then commands=1; \builtin continue; fi
        [[ -z $commands ]] || line="-x $line"
        for key in m j; do
          [[ ${line#-x } == "\"\\C-$key\": "* && $line != *'\C-x\C-_'* ]] && \builtin eval "_hookctl_saved_${map//-/_}_$key=\$line"
        done
      done <"$_hookctl_spool.keys"
      \builtin bind -m "$map" -x '"\C-x\C-_i": _hookctl_enter'
      \builtin bind -m "$map" '"\C-x\C-_a": accept-line'
      \builtin bind -m "$map" '"\C-m": "\C-x\C-_i\C-x\C-_a"'
      \builtin bind -m "$map" '"\C-j": "\C-x\C-_i\C-x\C-_a"'
    else
      for key in m j; do
        line=_hookctl_saved_${map//-/_}_$key
        line=${!line:-\"\\C-$key\": accept-line}
        if [[ $line == "-x "* ]]; then \builtin bind -m "$map" -x "${line#-x }"; else \builtin bind -m "$map" "$line"; fi
      done
      \builtin bind -m "$map" -r '\C-x\C-_i'
      \builtin bind -m "$map" -r '\C-x\C-_a'
    fi
  done
  _hookctl_refused=
}

# The native builtin, when it is installed: then no prompt forks at all. It
# is loaded by absolute path only (BASH_LOADABLES_PATH may hold "."); when it
# is missing or does not load, the shell code above does the work.
if [[ -z ${_hookctl_native-} && -f $_hookctl_builtin ]]; then
  \builtin enable -f "$_hookctl_builtin" hookctl 2>/dev/null
fi

# Push: when the hooks this shell waits for finish, the supervisor leaves the
# marker and sends SIGWINCH. With the builtin the environment is applied then,
# the prompt redrawn (with the half-typed line) and messages printed above
# it. Without it bash cannot redraw readline's line: no trap is set and the
# next prompt applies as before. A WINCH trap set before this one still runs first.
_hookctl_winch() {
  \builtin local previous_exit_status=$?
  if [[ -n ${_hookctl_previous_winch-} ]]; then \builtin eval "$_hookctl_previous_winch"; fi
  if [[ -n ${_hookctl_native-} && ${HOOKCTL_PUSH-} != 0 ]]; then \builtin hookctl __push; fi
  \builtin return "$previous_exit_status"
}
if [[ -n ${_hookctl_native-} ]]; then
  _hookctl_trap=$(\builtin trap -p WINCH)
  if [[ $_hookctl_trap != *_hookctl_winch* ]]; then
    if [[ -n $_hookctl_trap ]]; then
      _hookctl_trap=${_hookctl_trap#trap -- }
      \builtin eval "_hookctl_previous_winch=${_hookctl_trap% SIGWINCH}"
    fi
    \builtin trap _hookctl_winch WINCH
  fi
  \builtin unset _hookctl_trap
fi

# With the builtin, PROMPT_COMMAND calls it directly (a function around it
# costs more than the work); `enable -d hookctl` puts _hookctl_hook back.
_hookctl_entry=_hookctl_hook
[[ -n ${_hookctl_native-} ]] && _hookctl_entry='\builtin hookctl __prompt'
if [[ $(\builtin declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
  if [[ " ${PROMPT_COMMAND[*]} " != *" _hookctl_hook "* && " ${PROMPT_COMMAND[*]} " != *"hookctl __prompt"* ]]; then
    PROMPT_COMMAND=("$_hookctl_entry" "${PROMPT_COMMAND[@]}")
  fi
elif [[ ";${PROMPT_COMMAND-};" != *";_hookctl_hook;"* && ";${PROMPT_COMMAND-};" != *"hookctl __prompt;"* ]]; then
  # PROMPT_COMMAND is a string here; the array case is handled above.
  # shellcheck disable=SC2128,SC2178
  PROMPT_COMMAND="$_hookctl_entry${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
\builtin unset _hookctl_entry

# A DEBUG trap set before the glue loaded keeps running when a beforeCommand
# hook applies (looked up only then: a command substitution forks).
if [[ $_hookctl_events == *before* && -z ${_hookctl_debug_armed-} && -z ${bash_preexec_imported-}${__bp_imported-} ]]; then
  _hookctl_trap=$(\builtin trap -p DEBUG)
  if [[ -n $_hookctl_trap ]]; then
    _hookctl_trap=${_hookctl_trap#trap -- }
    \builtin eval "_hookctl_previous_debug=${_hookctl_trap% DEBUG}"
  fi
  \builtin unset _hookctl_trap
fi
_hookctl_arm
