#!/usr/bin/env bash
# setup-cloud-configs.sh: runs after aws and gcp and writes the CLI
# configurations from what they exported into .cloud/.
set -e
: "${AWS_PROFILE:?the aws hook must run first}" "${AWS_REGION:?}"
: "${CLOUDSDK_CORE_PROJECT:?the gcp hook must run first}"
config="$HOOKCTL_PROJECT_DIR/.cloud"
mkdir -p "$config/gcloud"
printf '[profile %s]\nregion = %s\n' "$AWS_PROFILE" "$AWS_REGION" > "$config/aws-config"
printf '[core]\nproject = %s\n' "$CLOUDSDK_CORE_PROJECT" > "$config/gcloud/properties"
printf 'export AWS_CONFIG_FILE=%q\n' "$config/aws-config"
printf 'export CLOUDSDK_CONFIG=%q\n' "$config/gcloud"
