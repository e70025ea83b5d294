#!/usr/bin/env bash
# Install what the browser tests need: Debian's Chromium, and axe-core + vnu-jar from npm.
# Idempotent and quick when everything is already there. Java (for vnu-jar) and Node/npm
# are expected on the machine; the Playwright Python package comes from `pip install .[test]`
# (Playwright's own browser download is not used: the tests launch /usr/bin/chromium).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "browser setup: installing chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# `npm ci` only when node_modules does not match package-lock.json.
stamp="$here/node_modules/.kanalprofil-lock"
if [ ! -f "$stamp" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  echo "browser setup: npm ci (axe-core, vnu-jar)"
  # --ignore-scripts: vnu-jar's postinstall would try to download a Java runtime.
  (cd "$here" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$here/package-lock.json" "$stamp"
fi

echo "browser setup: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)," \
  "axe-core $(node -p "require('$here/node_modules/axe-core/package.json').version")," \
  "vnu-jar $(node -p "require('$here/node_modules/vnu-jar/package.json').version")"
