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
  elif [[ -z ${_hookctl_warned-} ]]; then
    _hookctl_warned=1
    \builtin printf 'hookctl: export failed; the environment was left unchanged\n' >&2
  fi
}

_hookctl_hook() {
  # $? is the user's last status: PROMPT_COMMAND runs this first; the push
  # trap calls it after a test, when that status no longer matters.
  # shellcheck disable=SC2319
  \builtin local previous_exit_status=$? file run=
  if [[ -n ${_hookctl_native-} ]]; then
    # The builtin does the same work inside bash (and PROMPT_COMMAND calls it
    # directly once it is loaded).
    \builtin hookctl __prompt
    \builtin return "$previous_exit_status"
  fi
  if [[ $PWD != "${_hookctl_pwd-}" ]]; then
    _hookctl_pwd=$PWD
    _hookctl_find_root
    [[ $_hookctl_found == "$_hookctl_root" ]] || run=1
  fi
  if [[ -e $_hookctl_marker ]]; then
    run=1
  elif [[ -n $_hookctl_root ]]; then
    # Any other modification time than the one last seen (an edit, or a
    # copy that kept an older time), or an edit to a script the approval covers.
    if [[ $_hookctl_root/hookctl.toml -nt $_hookctl_stamp || $_hookctl_root/hookctl.toml -ot $_hookctl_stamp ]]; then
      run=1
    else
      for file in "${_hookctl_watch[@]}"; do
        [[ $file -nt $_hookctl_watch_stamp ]] && { run=1; \builtin break; }
      done
    fi
  fi
  if [[ -n $run ]]; then
    _hookctl_root=${_hookctl_found-}
    _hookctl_export
  elif [[ ${HOOKCTL_STATUS-} == loading* ]]; then
    # The supervisor keeps this one line current while the hooks load.
    \builtin read -r HOOKCTL_STATUS 2>/dev/null <"$_hookctl_status_file"
  fi
  \builtin return "$previous_exit_status"
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
