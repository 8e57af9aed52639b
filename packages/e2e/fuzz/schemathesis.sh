#!/usr/bin/env bash
# Runs Schemathesis for the API fuzz test (packages/e2e/test/api-fuzz.e2e.test.ts): `schemathesis.sh run …`.
# On first use it makes a venv under .cache/schemathesis/<hash of requirements.txt>/ and installs the pinned
# requirements from PyPI; later runs reuse it. Needs python3 (3.11 or newer) with its venv module.
# Exit codes: Schemathesis's own (0 nothing found, 1 failures found, …), or 3 when Python is missing or too old.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
requirements="$here/requirements.txt"
python="${FUZZ_PYTHON:-python3}"

missing() {
  echo "[api-fuzz] $1" >&2
  echo "[api-fuzz] The API fuzz test needs Python 3.11 or newer with venv and pip (Debian: apt-get install python3 python3-venv);" >&2
  echo "[api-fuzz] set FUZZ_PYTHON to use another interpreter. Schemathesis itself is installed from PyPI into .cache/." >&2
  exit 3
}

command -v "$python" >/dev/null 2>&1 || missing "$python was not found."
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null \
  || missing "$python is $("$python" -V 2>&1); Schemathesis $(grep -o 'schemathesis==[^ ]*' "$requirements" | cut -d= -f3) needs 3.11 or newer."

hash="$(sha256sum "$requirements" | cut -c1-12)"
venv="$root/.cache/schemathesis/$hash"
mkdir -p "$root/.cache/schemathesis"
# One installer at a time; a venv is used only once its install finished (.complete).
exec 9>"$venv.lock"
flock 9
# (.complete alone is not trusted: a venv whose Python or Schemathesis went missing is made again.)
if [ ! -f "$venv/.complete" ] || ! "$venv/bin/python" -c 'import schemathesis' >/dev/null 2>&1; then
  echo "[api-fuzz] installing Schemathesis ($(grep -c '==' "$requirements") pinned packages from PyPI) into ${venv#"$root/"} (once)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2 || missing "$python -m venv failed (is the venv module installed?)."
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$requirements" >&2
  touch "$venv/.complete"
fi
flock -u 9

# hooks.py (the ids the test seeded) is imported from here when SCHEMATHESIS_HOOKS=hooks.
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
exec "$venv/bin/schemathesis" "$@"
