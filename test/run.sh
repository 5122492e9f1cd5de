#!/usr/bin/env bash
# The one test command (`npm test`): installs what the tests need, builds, runs every suite
# against real parts and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (Debian package)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
command -v redis-server >/dev/null 2>&1 || { echo "redis-server is required and could not be installed"; exit 1; }
# redis-sentinel for the Sentinel suites (the cluster suites use redis-server and redis-cli).
if ! command -v redis-sentinel >/dev/null 2>&1; then
  echo "installing redis-sentinel (Debian package)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-sentinel >/dev/null
fi

# openssl makes the TLS suites' CA and certificates; curl is one of their clients.
for tool in openssl curl; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "installing $tool (Debian package)"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null
  fi
done

# kubectl renders the Kubernetes overlays (kubectl kustomize) in the manifest suite.
if ! command -v kubectl >/dev/null 2>&1; then
  echo "installing kubectl (Debian package)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kubectl >/dev/null \
    || echo "kubectl could not be installed; the manifest suite will fail"
fi

# PostgreSQL for the policy-database suites: each starts a throwaway cluster of its own.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql (Debian package)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# Debian's Chromium for the dashboard's browser tests, and Prometheus (with promtool) for the
# dashboard-query and alert-rule tests.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Install from the lock when node_modules is missing or older than the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || exit 1
fi

npm run --silent build || exit 1

mkdir -p .test-tmp
rm -f .test-tmp/jest.json .test-tmp/vitest.json
# --forceExit: the real SDK clients some suites run in-process (X-Ray's among them) leave timers
# behind that would keep the runner alive after every result is in.
npx jest --forceExit --json --outputFile=.test-tmp/jest.json "$@"
status=$?
# The dashboard's component tests (Vitest); with arguments, only the Jest files asked for run.
reports=(.test-tmp/jest.json)
if [ $# -eq 0 ]; then
  npx vitest run --config ui/vite.config.mts --reporter=default --reporter=json --outputFile.json="$PWD/.test-tmp/vitest.json" || status=1
  reports+=(.test-tmp/vitest.json)
fi
node test/support/summary.js "${reports[@]}" || status=1
exit $status
