#!/usr/bin/env bash
# Installs the system programs that the end-to-end tests drive (real clients and real servers).
# Idempotent; installs only what is missing. Needs root + apt-get; without them it says what is missing.
set -uo pipefail
need=()
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v php >/dev/null 2>&1 || need+=(php-cli)
php -m 2>/dev/null | grep -qi '^curl$' || need+=(php-curl)
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || need+=(python3-requests)
command -v script >/dev/null 2>&1 || need+=(bsdutils) # script(1): the demo's terminal log test
/usr/bin/python3 -c 'import flask' >/dev/null 2>&1 || need+=(python3-flask)
/usr/bin/python3 -c 'import django' >/dev/null 2>&1 || need+=(python3-django)
for extra in ${FAULTLINE_SYSTEM_EXTRA:-}; do
  case "$extra" in
    nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx) ;;
    apache2) [ -x /usr/sbin/apache2 ] || need+=(apache2) ;;
    chromium) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;;
    wrk) command -v wrk >/dev/null 2>&1 || need+=(wrk) ;;
  esac
done
[ ${#need[@]} -eq 0 ] && { echo "system deps: all present"; exit 0; }
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system deps: missing ${need[*]} (not root or no apt-get; those tests will be skipped)" >&2
  exit 0
fi
echo "system deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || echo "system deps: apt-get install failed for ${need[*]}" >&2
exit 0
