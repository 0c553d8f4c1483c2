#!/bin/sh
# authenticate.sh
set -e
token=$(get-token)
echo "export AUTH_TOKEN=$token"
