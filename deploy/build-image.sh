#!/usr/bin/env bash
# Build the image from deploy/Dockerfile with buildah, which needs no Docker engine:
#
#     deploy/build-image.sh [TAG]          (default tag: meli-events:local; run as root)
#
# buildah runs the Dockerfile's steps in a chroot (no daemon, no user namespaces) on the vfs storage driver, so
# it works inside containers and CI machines too. `docker build -f deploy/Dockerfile .` builds the same image
# wherever a Docker engine runs.
#
# The base image is python:3.11-slim from Docker Hub. Where Docker Hub cannot be reached (an offline CI machine
# with only the package registries), a stand-in with the same name is made once in buildah's local storage:
# Debian bookworm's own Python 3.11 (debootstrap from the Debian mirror), `python` and `pip` on the PATH, pip
# allowed to install into it, and this machine's CA bundle (a TLS-inspecting proxy's certificate included).
# The Dockerfile is used unchanged either way.
set -euo pipefail

tag=${1:-meli-events:local}
base=docker.io/library/python:3.11-slim
mirror=${MELI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
storage=(--storage-driver vfs)
cd "$(dirname "$0")/.."

for tool in buildah debootstrap; do
    command -v "$tool" >/dev/null || { echo "$tool is missing (Debian: apt-get install buildah debootstrap)" >&2; exit 2; }
done

stand_in() {
    local root container
    root=$(mktemp -d)
    trap 'rm -rf "$root" "$root.tar"' RETURN
    echo "Docker Hub is out of reach: making a stand-in $base from Debian bookworm's Python 3.11" >&2
    debootstrap --variant=minbase --include=python3,python3-pip,python3-venv,ca-certificates \
        bookworm "$root" "$mirror" >/dev/null
    ln -sf python3 "$root/usr/bin/python"
    ln -sf pip3 "$root/usr/bin/pip"
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$root.tar" .
    container=$(buildah "${storage[@]}" from scratch)
    buildah "${storage[@]}" add "$container" "$root.tar" /
    buildah "${storage[@]}" config --env PIP_BREAK_SYSTEM_PACKAGES=1 --cmd python3 "$container"
    buildah "${storage[@]}" commit -q --rm "$container" "$base" >/dev/null
}

if ! buildah "${storage[@]}" inspect --type image "$base" >/dev/null 2>&1; then
    timeout 60 buildah "${storage[@]}" pull -q "$base" >/dev/null 2>&1 || stand_in
fi
buildah "${storage[@]}" bud --isolation chroot --pull=never --network host -q -f deploy/Dockerfile -t "$tag" .
