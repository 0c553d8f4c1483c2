#!/usr/bin/env bash
# rc-line.sh add FILE LINE     append LINE to FILE unless it is already there
# rc-line.sh remove FILE MARK  delete every line of FILE that contains MARK
# Every other line of FILE is kept as it is.
set -euo pipefail
action=$1 file=$2 text=$3
case $action in
  add)
    mkdir -p "$(dirname "$file")"
    touch "$file"
    grep -qxF -- "$text" "$file" && exit 0
    # Start on a new line if the file does not end with one.
    if [ -s "$file" ] && [ "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" != '\n' ]; then
      printf '\n' >>"$file"
    fi
    printf '%s\n' "$text" >>"$file"
    ;;
  remove)
    [ -f "$file" ] || exit 0
    tmp=$(mktemp "$file.XXXXXX")
    grep -vF -- "$text" "$file" >"$tmp" || true
    cat "$tmp" >"$file"
    rm -f "$tmp"
    ;;
  *)
    echo "usage: rc-line.sh add FILE LINE | remove FILE MARK" >&2
    exit 2
    ;;
esac
