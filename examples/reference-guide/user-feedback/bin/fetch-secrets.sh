#!/bin/sh
# fetch-secrets.sh
set -e
sleep 1   # a real vault may take 10-15 s
api_key=$(vault kv get -field=api_key secret/app)
password=$(vault kv get -field=db_password secret/app)
echo "export API_KEY=$api_key"
echo "export DB_PASSWORD=$password"
