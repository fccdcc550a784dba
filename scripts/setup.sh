#!/usr/bin/env bash
# Sets up a Debian/Ubuntu machine for Compagnon e-CPS: the PC/SC stack and test tools from
# Debian's packages, then the npm dependencies. Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(pcscd libpcsclite1 libpcsclite-dev vsmartcard-vpcd pcsc-tools gcc libc6-dev util-linux opensc libengine-pkcs11-openssl curl libnss3-tools p11-kit chromium)

need_node="20.19.0"
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js >= ${need_node} est requis (https://nodejs.org) / Node.js >= ${need_node} is required." >&2
  exit 1
fi
node -e "const [a,b]=process.versions.node.split('.').map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)" || {
  echo "Node.js $(node -v) est trop ancien : il faut >= ${need_node} / Node.js is too old: need >= ${need_node}." >&2
  exit 1
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Paquets Debian à installer / Debian packages to install: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi
echo "==> Prêt / Ready."
