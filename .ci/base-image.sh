#!/usr/bin/env bash
# Builds the offline base image tests derive from (no registry on these machines).
# Idempotent: does nothing when the tag already exists.
set -euo pipefail
TAG="${DEVRIG_BASE_IMAGE:-devrig-test-base:bookworm}"
if docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "base image $TAG present"
  exit 0
fi
ROOTFS="$(mktemp -d /tmp/devrig-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
echo "debootstrap into $ROOTFS (about 2 minutes)"
debootstrap --variant=minbase \
  --include=bash,ca-certificates,procps,git,openssh-client,openssh-server,openssh-sftp-server,python3,curl,sudo,iproute2 \
  bookworm "$ROOTFS" >/tmp/devrig-debootstrap.log 2>&1 || { tail -50 /tmp/devrig-debootstrap.log; exit 1; }
# A non-root user like most dev images have (vscode, uid 1000).
chroot "$ROOTFS" useradd -m -s /bin/bash -u 1000 vscode
echo 'vscode ALL=(ALL) NOPASSWD:ALL' >"$ROOTFS/etc/sudoers.d/vscode"
chroot "$ROOTFS" apt-get clean
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/etc/ssh/ssh_host_*
tar -C "$ROOTFS" -c . | docker import -c 'CMD ["/bin/bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$TAG"
echo "built $TAG"
