#!/bin/sh
# fetch-user-data.sh: needs the token that the auth hook exported.
set -e
: "${AUTH_TOKEN:?AUTH_TOKEN is not set; the auth hook must run first}"
id=$(user-api --token "$AUTH_TOKEN" get id)
email=$(user-api --token "$AUTH_TOKEN" get email)
echo "export USER_ID=$id"
echo "export USER_EMAIL=$email"
