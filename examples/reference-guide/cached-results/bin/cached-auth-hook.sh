#!/usr/bin/env bash
# cached-auth-hook.sh

CACHE_FILE="${AUTH_CACHE_FILE:-/tmp/cuenv-auth-cache-${USER:-$(id -un)}}"
CACHE_TTL=3600  # 1 hour
umask 077       # the cache holds a token: readable by you only

# Check if cache is still valid
if [[ -f "$CACHE_FILE" ]] && [[ $(($(date +%s) - $(stat -c %Y "$CACHE_FILE"))) -lt $CACHE_TTL ]]; then
    cat "$CACHE_FILE"
    exit 0
fi

# Fetch new token and cache it (a failed fetch fails the hook and caches nothing)
token=$(fetch-new-token) || exit 1
echo "export AUTH_TOKEN=$token" | tee "$CACHE_FILE"
