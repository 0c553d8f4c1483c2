#!/usr/bin/env bash
# fetch-auth-token.sh (the guide's "Output Format" script)

# Simulate slow token fetch (the guide sleeps 3 s)
sleep 1

# Output environment variables
echo "export AUTH_TOKEN=$(get-token)"
echo "export AUTH_EXPIRES=$(date -d '+1 hour' +%s)"
echo "export AUTH_USER=$(get-user)"
