#!/usr/bin/env bash
# Installs the Debian 12 packages pop3-conform needs to build and test. Idempotent: packages
# already present are skipped, and apt is only touched when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang-format
  # the libFuzzer targets (ci/fuzz.sh)
  clang libclang-rt-14-dev
  # packaging: the man page, and the Debian packages' dependencies (dpkg-shlibdeps)
  help2man dpkg-dev
  # libraries
  libpoco-dev libyaml-cpp-dev libcli11-dev libssl-dev
  googletest libgmock-dev libbenchmark-dev
  # used by the tests: real peers and certificate generation
  python3 curl openssl ca-certificates
  # the pytest recipe (docs/recipes/pytest), run with /usr/bin/python3
  python3-pytest
  # real POP3 clients the interop tests drive against `pop3-conform serve`
  fetchmail mpop
  # bench/side_by_side.py's plot
  gnuplot-nox
)
# Servers the tests run as private instances. Their packages would start and enable a system
# daemon, so they are installed with a policy-rc.d that forbids it.
daemon_packages=(dovecot-core dovecot-pop3d)

missing() {
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$package"
    fi
  done
}
mapfile -t missing_packages < <(missing "${packages[@]}")
mapfile -t missing_daemons < <(missing "${daemon_packages[@]}")

if [ ${#missing_packages[@]} -eq 0 ] && [ ${#missing_daemons[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo=sudo
else
  sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq

if [ ${#missing_packages[@]} -ne 0 ]; then
  echo "Installing: ${missing_packages[*]}"
  $sudo apt-get install -y -qq --no-install-recommends "${missing_packages[@]}"
fi

if [ ${#missing_daemons[@]} -ne 0 ]; then
  echo "Installing without starting: ${missing_daemons[*]}"
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    trap '$sudo rm -f "$policy"' EXIT
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing_daemons[@]}"

  # Keep the system daemon off at boot, and stop it if it started anyway.
  if command -v systemctl >/dev/null; then
    $sudo systemctl disable --quiet dovecot.service dovecot.socket 2>/dev/null || true
    if [ -d /run/systemd/system ]; then
      $sudo systemctl stop dovecot.service dovecot.socket 2>/dev/null || true
    fi
  fi
  pidfile=/run/dovecot/master.pid
  if [ -s "$pidfile" ]; then
    pid=$(cat "$pidfile")
    if $sudo kill "$pid" 2>/dev/null; then
      echo "Stopping the system dovecot (pid $pid)"
      for _ in $(seq 50); do
        $sudo kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
  fi
fi
