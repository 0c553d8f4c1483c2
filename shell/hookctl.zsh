# hookctl shell integration for zsh.
# Load it from ~/.zshrc with:  eval "$(hookctl shell init zsh)"
#
# On each prompt this runs only shell builtins. It calls `hookctl export`
# (one fork) only when the nearest hookctl.toml changed with $PWD, when
# hookctl left a marker for this shell, or when the loaded hookctl.toml is
# newer than what this shell last saw.

typeset -g _hookctl_bin=@HOOKCTL_BIN@
typeset -g _hookctl_marker=@HOOKCTL_SHELLS_DIR@/$$.changed
typeset -g _hookctl_stamp=@HOOKCTL_SHELLS_DIR@/$$.stamp
typeset -g _hookctl_watch_stamp=@HOOKCTL_SHELLS_DIR@/$$.watch
typeset -g _hookctl_status_file=@HOOKCTL_SHELLS_DIR@/$$.status
typeset -g _hookctl_spool=@HOOKCTL_SHELLS_DIR@/$$.events
typeset -g _hookctl_runner_file=@HOOKCTL_SHELLS_DIR@/$$.runner
# What the runner gets from this shell where it is now (the export keeps it
# current): "before" and "after" (command lines), "runner" (events wait).
typeset -g _hookctl_events=@HOOKCTL_EVENTS@
typeset -ga _hookctl_watch
typeset -g _hookctl_root=${HOOKCTL_DIR-}
export HOOKCTL_SHELL_INTEGRATION=1

# Sets _hookctl_found to the nearest directory holding hookctl.toml, or ''.
_hookctl_find_root() {
  emulate -L zsh
  local dir=$PWD
  while [[ -n $dir ]]; do
    if [[ -f $dir/hookctl.toml ]]; then
      typeset -g _hookctl_found=$dir
      return 0
    fi
    dir=${dir%/*}
  done
  if [[ -f /hookctl.toml ]]; then typeset -g _hookctl_found=/; else typeset -g _hookctl_found=; fi
}

_hookctl_export() {
  local code
  if [[ ! -x $_hookctl_bin ]]; then
    if [[ -z ${_hookctl_warned-} ]]; then
      typeset -g _hookctl_warned=1
      builtin printf 'hookctl: %s is missing; hooks are off until it is reinstalled\n' "$_hookctl_bin" >&2
    fi
    return 0
  fi
  if code=$(HOOKCTL_SHELL_PID=$$ "$_hookctl_bin" export zsh); then
    builtin eval "$code"
    _hookctl_arm
  elif [[ -z ${_hookctl_warned-} ]]; then
    typeset -g _hookctl_warned=1
    builtin printf 'hookctl: export failed; the environment was left unchanged\n' >&2
  fi
}

_hookctl_hook() {
  local previous_exit_status=$? pipe_status=${_hookctl_started:+"$pipestatus"} run=
  # The user's options (KSH_ARRAYS, SH_WORD_SPLIT, ...) stay outside.
  emulate -L zsh
  # A command line ran (preexec noted it): hand its end to the runner.
  if [[ -n ${_hookctl_started-} ]]; then
    if [[ $_hookctl_armed == *a* ]]; then
      builtin printf 'A\0%s\0%s\0%s\0%s\0%s\0%s\0%s\0' $_hookctl_seq $previous_exit_status "$pipe_status" \
        $(( epochtime[1] * 1000 + epochtime[2] / 1000000 - _hookctl_started )) $PWD "$_hookctl_root" "$_hookctl_line" >>$_hookctl_spool
      [[ -e /proc/${_hookctl_runner_pid:-0} ]] || _hookctl_runner_check
    fi
    typeset -g _hookctl_started=
  fi
  if [[ $PWD != "${_hookctl_pwd-}" ]]; then
    typeset -g _hookctl_pwd=$PWD
    _hookctl_find_root
    [[ $_hookctl_found == "$_hookctl_root" ]] || run=1
  fi
  [[ -e $_hookctl_marker ]] && run=1
  # Any other modification time than the one last seen: an edit, or a copy
  # that kept an older time (cp -p, tar).
  if [[ -n $_hookctl_root ]] && [[ $_hookctl_root/hookctl.toml -nt $_hookctl_stamp || $_hookctl_root/hookctl.toml -ot $_hookctl_stamp ]]; then
    run=1
  fi
  # The scripts the approval covers: an edit asks for approval at once.
  if [[ -z $run && -n $_hookctl_root ]]; then
    local file
    for file in "${_hookctl_watch[@]}"; do
      if [[ $file -nt $_hookctl_watch_stamp ]]; then
        run=1
        break
      fi
    done
  fi
  if [[ -n $run ]]; then
    typeset -g _hookctl_root=${_hookctl_found-}
    _hookctl_export
  elif [[ ${HOOKCTL_STATUS-} == loading* ]]; then
    # The supervisor keeps this one line current while the hooks load.
    builtin read -r HOOKCTL_STATUS 2>/dev/null <$_hookctl_status_file
  fi
  return $previous_exit_status
}

# Per-shell hook points. Only while a hook point or [notify] applies where
# the shell is does the glue add a preexec function; each event is one
# builtin printf to the shell's spool, and a runner process runs the hooks.
typeset -g _hookctl_armed= _hookctl_started= _hookctl_line=
typeset -gi _hookctl_seq=0

_hookctl_preexec() {
  emulate -L zsh
  typeset -g _hookctl_started=$(( epochtime[1] * 1000 + epochtime[2] / 1000000 )) _hookctl_line=$1
  (( ++_hookctl_seq ))
  [[ $_hookctl_armed == *b* ]] || return 0
  builtin printf 'B\0%s\0%s\0%s\0%s\0' $_hookctl_seq $PWD "$_hookctl_root" "$1" >>$_hookctl_spool
  # One stat of /proc: zsh reaps its runner, so a dead one has no entry
  # there; a missing one is started again, the events wait in the spool.
  [[ -e /proc/${_hookctl_runner_pid:-0} ]] || _hookctl_runner_check
}

# Whether process $1 runs (a process that ended but was not reaped is a zombie).
_hookctl_alive() {
  [[ -n $1 && -r /proc/$1/stat ]] || return 1
  local stat
  builtin read -r stat </proc/$1/stat 2>/dev/null
  [[ $stat != *") Z "* ]]
}

# Starts this shell's runner unless it runs (a fork, once per shell, or
# after the runner was killed: the events in the spool wait for it).
_hookctl_runner_check() {
  [[ -n ${_hookctl_runner_pid-} && -e /proc/$_hookctl_runner_pid ]] && return 0
  typeset -g _hookctl_runner_pid=
  [[ -r $_hookctl_runner_file ]] && builtin read -r _hookctl_runner_pid <$_hookctl_runner_file
  _hookctl_alive $_hookctl_runner_pid && return 0
  [[ -x $_hookctl_bin ]] || return 0
  HOOKCTL_SHELL=zsh "$_hookctl_bin" __runner $$ &!
  typeset -g _hookctl_runner_pid=$!
}

# Adds or removes the preexec function to match _hookctl_events.
_hookctl_arm() {
  emulate -L zsh
  [[ $_hookctl_events == *runner* ]] && _hookctl_runner_check
  local want=
  [[ $_hookctl_events == *before* ]] && want+=b
  [[ $_hookctl_events == *after* ]] && want+=a
  [[ $_hookctl_events == *rules* && -o zle ]] && want+=r
  _hookctl_rule_columns
  [[ $want == $_hookctl_armed ]] && return 0
  if [[ $want == *r* && $_hookctl_armed != *r* ]]; then _hookctl_bind_enter on
  elif [[ $want != *r* && $_hookctl_armed == *r* ]]; then _hookctl_bind_enter off
  fi
  typeset -g _hookctl_armed=$want _hookctl_started=
  typeset -ag preexec_functions
  preexec_functions=(${preexec_functions:#_hookctl_preexec})
  if [[ $want == *[ab]* ]]; then
    zmodload -F zsh/datetime p:epochtime 2>/dev/null
    preexec_functions+=(_hookctl_preexec)
  fi
}

# Command interceptors. Only while an [[intercept]] rule applies where the
# shell is does the glue wrap the accept-line widget (any wrapper that was
# there keeps running after it, in every keymap, vi's too): a rule sees the
# whole line before zsh runs it. Globs are matched here with ==, regexes
# with =~; only a run rule starts a process.
@HOOKCTL_RULES@

# Sends a decision that is not a plain continue to the engine log, through the runner.
_hookctl_decided() {
  builtin printf 'I\0%s\0%s\0%s\0%s\0%s\0' "$1" "$2" "$3" "$4" $PWD >>$_hookctl_spool
  _hookctl_runner_check
}

# Prints above the line being edited, which zle draws again below.
_hookctl_say() {
  zle && zle -I
  builtin print -r -u2 -- "hookctl: $1"
}

_hookctl_refuse() {
  _hookctl_say "$3"
  _hookctl_decided "$1" cancel "$2" "$3"
}

# Walks the rules over the line $1: sets _hookctl_line to what runs, or
# prints the reason and returns 1 to cancel. A line no rule matches costs
# one pattern test per rule.
_hookctl_intercept() {
  emulate -L zsh
  typeset -g _hookctl_line=$1
  [[ -z $_hookctl_rule_any || $_hookctl_line == ${~_hookctl_rule_any} ]] || return 0
  local pattern
  integer index=0
  for pattern in "${_hookctl_rule_match[@]}"; do
    (( ++index ))
    # A glob matches with ==, which compiles nothing (the export escaped it);
    # a regex rule's pattern is * and its ERE decides.
    [[ $_hookctl_line == ${~pattern} ]] || continue
    [[ -z $_hookctl_rule_regex[index] || $_hookctl_line =~ $_hookctl_rule_regex[index] ]] || continue
    _hookctl_apply $index || return 1
  done
}

# Rule $1 matched _hookctl_line: does what it says; 1 cancels.
_hookctl_apply() {
  emulate -L zsh
  local line=$_hookctl_line before=$_hookctl_line id=$_hookctl_rule_id[$1] action=$_hookctl_rule_action[$1]
  local first=$_hookctl_rule_first[$1] second=$_hookctl_rule_second[$1] out code answer
  case $action in
    (replace) line=${line/"$first"/$second} ;;
    (rewrite) line=${first//"{line}"/$line} ;;
    (cancel) _hookctl_refuse $id "$line" "$first"; return 1 ;;
    (confirm)
      answer=
      # Inside the widget zle reads keys from the terminal itself.
      if zle; then
        zle -R "hookctl: $first [y/N]"
        builtin read -k 1 answer
        zle -R ''
      elif [[ -t 0 ]]; then
        builtin print -rn -u2 -- "hookctl: $first [y/N] "
        builtin read -k 1 answer
        builtin print -u2
      fi
      if [[ $answer != [yY] ]]; then _hookctl_decided $id cancel "$line" "not confirmed"; return 1; fi
      _hookctl_decided $id confirmed "$line" "$first"
      ;;
    (run)
      # Its warnings print above the line, which zle draws again.
      zle && zle -I
      out=$(builtin printf '%s' "$line" | HOOKCTL_SHELL_PID=$$ "$_hookctl_bin" __intercept $id)
      code=$?
      if (( code == 1 )); then _hookctl_say "$out"; return 1; fi
      (( code == 0 )) && [[ -n $out ]] && line=$out
      ;;
    (wait)
      if [[ ${HOOKCTL_STATUS-} == loading* ]]; then
        zle && zle -I
        HOOKCTL_WAIT=1 _hookctl_export
        if [[ ${HOOKCTL_STATUS-} != loaded ]]; then
          _hookctl_refuse $id "$line" "not run: the project's hooks did not finish (${HOOKCTL_STATUS:-unloaded}); press Enter to run it anyway"
          return 1
        fi
      fi
      ;;
  esac
  if [[ -z ${line//[[:space:]]/} ]]; then
    _hookctl_refuse $id "$before" "the rule '$id' left an empty line; nothing was run"
    return 1
  fi
  [[ $line == $before || $action == run ]] || _hookctl_decided $id rewrite "$before" "$line"
  typeset -g _hookctl_line=$line
}

# The rules as one array per field (six fields a rule in _hookctl_rules: id,
# glob as a pattern, ERE, action, two arguments): Enter then walks one array.
_hookctl_rule_columns() {
  emulate -L zsh
  typeset -ga _hookctl_rule_match _hookctl_rule_regex _hookctl_rule_id _hookctl_rule_action _hookctl_rule_first _hookctl_rule_second
  _hookctl_rule_match=() _hookctl_rule_regex=() _hookctl_rule_id=() _hookctl_rule_action=() _hookctl_rule_first=() _hookctl_rule_second=()
  typeset -g _hookctl_rule_any=
  integer i any=1
  for ((i = 1; i + 5 <= $#_hookctl_rules; i += 6)); do
    _hookctl_rule_id+=("$_hookctl_rules[i]")
    if [[ -n $_hookctl_rules[i+1] ]]; then
      _hookctl_rule_match+=("$_hookctl_rules[i+1]"); _hookctl_rule_regex+=("")
      [[ $_hookctl_rules[i+1] != *\[* ]] || any=0
    else
      _hookctl_rule_match+=("*"); _hookctl_rule_regex+=("$_hookctl_rules[i+2]"); any=0
    fi
    _hookctl_rule_action+=("$_hookctl_rules[i+3]"); _hookctl_rule_first+=("$_hookctl_rules[i+4]"); _hookctl_rule_second+=("$_hookctl_rules[i+5]")
  done
  # Every rule a glob without a [set]: one (glob|glob|...) pattern tells a
  # line that no rule matches with one test.
  if (( any && $#_hookctl_rule_match )); then
    _hookctl_rule_any="(${(j:|:)_hookctl_rule_match})"
  fi
}

# accept-line while rules apply: the line at the primary prompt goes through
# them; continuation lines, menu selection and an empty line pass through.
_hookctl_accept_line() {
  # Menu selection's Enter takes a completion: it passes through.
  if [[ $_hookctl_armed == *r* && $CONTEXT == start && $KEYMAP != menuselect && -n ${BUFFER//[[:space:]]/} ]]; then
    _hookctl_intercept "$BUFFER" || return 0
    [[ $BUFFER == $_hookctl_line ]] || { BUFFER=$_hookctl_line; CURSOR=$#BUFFER }
  fi
  zle _hookctl_previous_accept_line
}

# Wraps or unwraps accept-line; a wrapper set after this one is left alone.
_hookctl_bind_enter() {
  zmodload zsh/zleparameter 2>/dev/null
  if [[ $1 == on ]]; then
    [[ $widgets[accept-line] == user:_hookctl_accept_line ]] && return 0
    zle -A accept-line _hookctl_previous_accept_line
    zle -N accept-line _hookctl_accept_line
  elif [[ $widgets[accept-line] == user:_hookctl_accept_line ]]; then
    zle -A _hookctl_previous_accept_line accept-line
    zle -D _hookctl_previous_accept_line
  fi
}

typeset -ag precmd_functions
if (( ! ${precmd_functions[(I)_hookctl_hook]} )); then
  # "${a[@]}" keeps every element also under KSH_ARRAYS, where $a is the first.
  precmd_functions=(_hookctl_hook "${precmd_functions[@]}")
fi

# Push: when the hooks this shell waits for finish, the supervisor leaves the
# marker and sends SIGWINCH; while the line editor waits for input the
# environment is applied then and the prompt redrawn, with the half-typed
# line kept (otherwise the next prompt applies it). A TRAPWINCH of the
# user's runs first.
_hookctl_push() {
  [[ ${HOOKCTL_PUSH-} != 0 && -e $_hookctl_marker ]] && zle || return 0
  zle -I
  _hookctl_hook
  zle reset-prompt
  return 0
}
if (( $+functions[TRAPWINCH] )) && [[ $functions[TRAPWINCH] != *_hookctl_push* ]]; then
  functions[_hookctl_previous_winch]=$functions[TRAPWINCH]
fi
TRAPWINCH() {
  (( $+functions[_hookctl_previous_winch] )) && _hookctl_previous_winch "$@"
  _hookctl_push
}

_hookctl_arm
