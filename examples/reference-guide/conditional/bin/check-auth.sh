#!/bin/sh
# check-auth.sh: authenticate (the condition has checked that we are not yet).
echo "export AUTH_TOKEN=$(get-token)"
