#!/usr/bin/env bash
# Installs the other runtimes the tests run faultline on (Bun, Deno, workerd, Node 22/24/26) into
# scripts/runtimes/node_modules, pinned by scripts/runtimes/package-lock.json. They ship as npm
# packages carrying their binaries; npm 11 skips their install scripts and the binaries still run.
set -euo pipefail
cd "$(dirname "$0")/runtimes"
npm ci --no-audit --no-fund --loglevel=error
