#!/bin/sh
# gcp-auth.sh: an access token and the project of the active gcloud account.
set -e
token=$(gcloud auth print-access-token)
project=$(gcloud config get-value project)
echo "export GOOGLE_OAUTH_ACCESS_TOKEN=$token"
echo "export CLOUDSDK_CORE_PROJECT=$project"
