#!/bin/sh
# ci-auth.sh: exchange the CI job's identity for a deploy token.
set -e
token=$(ci-credentials --audience deploy)
echo "export CI_DEPLOY_TOKEN=$token"
