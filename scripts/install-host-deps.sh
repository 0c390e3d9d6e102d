#!/usr/bin/env bash
# Installs the host packages Thaw needs, from Debian, only when missing:
# QEMU, debootstrap (guest root filesystems), static busybox (guest initramfs),
# e2fsprogs (ext4 images), dpkg/apt for fetching the guest kernel package, and for
# 'thaw package image' skopeo (pushes) and docker-registry (its tests' loopback registry).
# Idempotent: a second run checks and returns in milliseconds.
set -euo pipefail

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need qemu-system-x86_64 qemu-system-x86
need debootstrap debootstrap
need mkfs.ext4 e2fsprogs
need debugfs e2fsprogs
need dpkg-deb dpkg
need skopeo skopeo
need docker-registry docker-registry
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "thaw: missing host packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "thaw: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${missing[@]}" >&2
