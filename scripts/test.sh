#!/usr/bin/env bash
# The one test command (README and .ci/run call exactly this). It installs what the tests need when it is
# missing, builds the solution with warnings as errors, runs every test and prints a plain closing line.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# The PostgreSQL history tests start their own server with initdb/pg_ctl from /usr/lib/postgresql/<version>/bin.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing ${need_apt[*]} (tests use a real redis-server, PostgreSQL and Debian's Chromium)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$(mktemp -d)"
status=0
dotnet test OptionsTracker.slnx -c Release --logger "trx;LogFileName=results.trx" --results-directory "$results" "$@" || status=$?

# A closing line any CI can read: "N passed, N failed".
if ls "$results"/*.trx >/dev/null 2>&1; then
  passed=$(grep -ho 'passed="[0-9]*"' "$results"/*.trx | head -1 | tr -dc 0-9)
  failed=$(grep -ho 'failed="[0-9]*"' "$results"/*.trx | head -1 | tr -dc 0-9)
  echo "${passed:-0} passed, ${failed:-0} failed"
fi
exit $status
