#!/bin/sh
# fetch-aws-creds.sh: the aws CLI prints the credentials as export lines itself.
exec aws configure export-credentials --profile dev --format env
