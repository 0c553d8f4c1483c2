#!/usr/bin/env bash
# rc-line.sh add FILE LINE     append LINE to FILE unless it is already there
# rc-line.sh remove FILE MARK  delete every line of FILE that contains MARK
#
# Every other byte of FILE is kept: when FILE does not end with a line
# break, `add` writes one before LINE and notes that in LINE's comment, so
# that `remove` takes back exactly what `add` wrote.
set -euo pipefail
action=$1 file=$2 text=$3
note=" (and the line break before it)"
case $action in
  add)
    mkdir -p "$(dirname "$file")"
    touch "$file"
    grep -qF -- "$text" "$file" && exit 0
    if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then
      printf '\n%s%s\n' "$text" "$note" >>"$file"
    else
      printf '%s\n' "$text" >>"$file"
    fi
    ;;
  remove)
    { [ -f "$file" ] && grep -qF -- "$text" "$file"; } || exit 0
    content=$(cat "$file"; printf x)
    content=${content%x}
    kept=
    while [ -n "$content" ]; do
      line=${content%%$'\n'*}
      if [ "$line" = "$content" ]; then
        content='' eol=''
      else
        content=${content#*$'\n'} eol=$'\n'
      fi
      case $line in
        *"$text$note"*) kept=${kept%$'\n'} ;;
        *"$text"*) ;;
        *) kept+=$line$eol ;;
      esac
    done
    printf '%s' "$kept" >"$file"
    ;;
  *)
    echo "usage: rc-line.sh add FILE LINE | remove FILE MARK" >&2
    exit 2
    ;;
esac
