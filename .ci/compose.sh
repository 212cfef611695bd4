#!/usr/bin/env bash
# Installs Docker Compose v2 on Debian 12, which only packages Compose v1.
# Debian 13 (trixie) packages Compose v2 as `docker-compose`, a Go binary needing only libc6.
# The trixie source is pinned at priority 100, so nothing else ever comes from it, and the
# package is installed with --no-install-recommends: otherwise apt also pulls trixie's
# docker-cli/buildx and replaces bookworm's docker.io.
# Idempotent: does nothing when Compose v2 already answers.
set -euo pipefail

compose_v2() {
  docker compose version --short 2>/dev/null | grep -q '^v\?2\.' ||
    docker-compose version --short 2>/dev/null | grep -q '^v\?2\.'
}

if compose_v2; then
  echo "Compose v2 present: $(docker compose version 2>/dev/null || docker-compose version)"
  exit 0
fi

source_file=/etc/apt/sources.list.d/devrig-trixie.list
pin_file=/etc/apt/preferences.d/devrig-trixie
echo 'deb http://deb.debian.org/debian trixie main' >"$source_file"
printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >"$pin_file"

# Other apt runs on the machine may hold the dpkg lock for a while: wait for it instead of failing.
apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"
}
apt_get update -qq
apt_get install -y -qq --no-install-recommends -t trixie docker-compose >/dev/null

compose_v2 || { echo "Compose v2 was installed but does not answer"; exit 1; }
echo "installed $(docker compose version 2>/dev/null || docker-compose version)"
