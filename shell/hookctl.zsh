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
  elif [[ -z ${_hookctl_warned-} ]]; then
    typeset -g _hookctl_warned=1
    builtin printf 'hookctl: export failed; the environment was left unchanged\n' >&2
  fi
}

_hookctl_hook() {
  local previous_exit_status=$? run=
  # The user's options (KSH_ARRAYS, SH_WORD_SPLIT, ...) stay outside.
  emulate -L zsh
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
