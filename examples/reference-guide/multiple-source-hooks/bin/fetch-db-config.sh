#!/bin/sh
# fetch-db-config.sh: the database's address from the secret store.
set -e
host=$(vault kv get -field=host secret/db)
port=$(vault kv get -field=port secret/db)
echo "export DATABASE_HOST=$host"
echo "export DATABASE_PORT=$port"
