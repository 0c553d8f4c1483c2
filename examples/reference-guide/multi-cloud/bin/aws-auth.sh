#!/bin/sh
# aws-auth.sh: the dev profile's credentials and region.
set -e
aws configure export-credentials --profile dev --format env
region=$(aws configure get region --profile dev)
echo "export AWS_PROFILE=dev"
echo "export AWS_REGION=$region"
