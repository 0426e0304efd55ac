# Sourced by the scripts that use the Python tools (run from the repository root): makes, once,
# a virtual environment under target/ with the pinned versions of tests/python-tools.txt (every
# dependency fixed by tests/python-tools.lock), from PyPI with pip, and sets PYTOOLS to its bin
# directory. Needs only python3 (3.11) with venv and pip.
PYTOOLS_VENV=${PYTOOLS_VENV:-target/ci-venv}
_stamp="$PYTOOLS_VENV/.koppel-tools"
_want=$(cat tests/python-tools.txt tests/python-tools.lock | sha256sum | cut -d' ' -f1)
if [ "$(cat "$_stamp" 2>/dev/null)" != "$_want" ]; then
  python3 -m venv "$PYTOOLS_VENV"
  "$PYTOOLS_VENV/bin/pip" install --quiet --disable-pip-version-check \
    -r tests/python-tools.txt -c tests/python-tools.lock
  echo "$_want" >"$_stamp"
fi
PYTOOLS=$(cd "$PYTOOLS_VENV/bin" && pwd)
