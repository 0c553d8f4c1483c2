#!/usr/bin/env bash
# dev-setup.sh: everything it says goes to stderr (`hookctl logs`);
# stdout carries the exports only.
set -e
dev="$HOOKCTL_PROJECT_DIR/.dev"
mkdir -p "$dev/deps" "$dev/certs"

# Download dependencies
fetch-deps "$dev/deps" >&2

# Fetch development certificates
mkcert -cert-file "$dev/certs/dev.pem" -key-file "$dev/certs/dev-key.pem" localhost >&2

# Start background services: a service that must outlive the hook is started
# detached from it (e.g. `docker compose up -d`); this example has none.

# Configure database connections
printf 'export DEV_DEPS_DIR=%q\n' "$dev/deps"
printf 'export DEV_CERT_FILE=%q\n' "$dev/certs/dev.pem"
echo "export DATABASE_URL=postgres://dev@localhost:5432/dev"
