#!/usr/bin/env bash
# Installs the host packages Thaw needs, from Debian, only when missing, without recommended
# extras (a headless node needs none of QEMU's GTK, SDL or GStreamer front ends).
# Idempotent: a second run checks and returns in milliseconds.
#
# Every program Thaw or its tests run is listed here as `need COMMAND PACKAGE`; the Java class
# dev.thaw.sandbox.HostCommands declares the same list and a test keeps the two in step.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need qemu-system-x86_64 qemu-system-x86   # the VMM
need debootstrap debootstrap              # guest root file systems
need mkfs.ext4 e2fsprogs                  # guest disk images
need debugfs e2fsprogs
need dpkg-deb dpkg                        # unpacking the guest kernel package
need apt-get apt                          # fetching the guest kernel package
need apt-cache apt
need cpio cpio                            # tests read back the initramfs Thaw writes
need setpriv util-linux                   # children die with their owner (parent-death signal)
need unshare util-linux                   # confined VMMs and image tests: their own mount namespace
need prlimit util-linux                   # confined VMMs: resource limits
need mount mount                          # confined VMMs: their files, bind-mounted read-only
need chroot coreutils
need umount mount                         # removing mounts a killed debootstrap left
need stat coreutils
need sleep coreutils                      # tests: stand-in children and finished processes
need true coreutils
need sh dash
need cc gcc                               # restored VMMs: the preload library, built from source
need env coreutils                        # restored VMMs: setting that library for QEMU alone
need skopeo skopeo                        # thaw package image: pushes and docker-load archives
need docker-registry docker-registry      # its tests: a registry on loopback
# the guest initramfs copies the host's static busybox, which only this package provides
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
# the preload library's C headers
dpkg -s libc6-dev >/dev/null 2>&1 || missing+=(libc6-dev)
# lazy snapshot memory: a FUSE file system served by the node (a library, no command)
dpkg -s libfuse3-3 >/dev/null 2>&1 || missing+=(libfuse3-3)

[ ${#missing[@]} -eq 0 ] && exit 0
# one package may provide several commands
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

if [ "$(id -u)" -ne 0 ]; then
  echo "thaw: missing host packages: ${missing[*]}; install them as root:" >&2
  echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "thaw: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -qq >&2; then
  echo "thaw: apt-get update failed; nothing was installed. Check the machine's apt sources, then run" \
       "apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
# apt installs all of them or, on failure, configures none of the missing ones half-way
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
  echo "thaw: installing ${missing[*]} failed (see above); run" \
       "apt-get install --no-install-recommends ${missing[*]} as root to retry" >&2
  exit 1
fi
