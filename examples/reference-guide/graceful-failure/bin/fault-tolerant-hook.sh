#!/usr/bin/env bash
# fault-tolerant-hook.sh

# Try primary method
if result=$(primary-auth-method 2>/dev/null); then
    echo "export AUTH_TOKEN=$result"
    echo "export AUTH_METHOD=primary"
# Fallback to secondary method
elif result=$(secondary-auth-method 2>/dev/null); then
    echo "export AUTH_TOKEN=$result"
    echo "export AUTH_METHOD=secondary"
else
    # Set safe defaults
    echo "export AUTH_TOKEN="
    echo "export AUTH_METHOD=none"
    echo "# Authentication failed, using anonymous access" >&2
fi
