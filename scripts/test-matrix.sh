#!/usr/bin/env bash
# Runs the conformance, adapter, guard, core and package tests on each Node LTS line (22, 24, 26)
# from scripts/runtimes (install with scripts/install-runtimes.sh). The whole suite runs on the
# machine's own Node through `npm test`; this proves the same behaviour on the other lines.
set -euo pipefail
cd "$(dirname "$0")/.."
runtimes=scripts/runtimes/node_modules
status=0
for v in ${FAULTLINE_NODE_LINES:-22 24 26}; do
  bin="$PWD/$runtimes/node$v/bin"
  if [ ! -x "$bin/node" ]; then
    echo "node $v: missing; run scripts/install-runtimes.sh" >&2
    status=1
    continue
  fi
  echo "== node $("$bin/node" --version)"
  PATH="$bin:$PATH" npx vitest run --reporter=dot \
    test/conformance test/adapters test/guards test/core test/package || status=1
done
exit $status
