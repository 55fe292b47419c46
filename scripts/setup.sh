# Sourced by scripts/demo and scripts/test: a virtual environment with the project installed,
# and Graphviz's `dot` (installed with apt-get when missing and we are root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON_BIN="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the virtual environment in .venv" >&2
  "$PYTHON_BIN" -m venv .venv
fi
stamp=".venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "setup: installing autograd-core with its dev extras (pip install -e \".[dev]\")" >&2
  .venv/bin/python -m pip install -q --upgrade pip >&2 || true
  .venv/bin/python -m pip install -q -e ".[dev]" >&2
  touch "$stamp"
fi
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Graphviz (apt-get install -y graphviz)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz) >&2 \
      || echo "setup: could not install Graphviz; pictures of graphs will be skipped" >&2
  else
    echo "setup: Graphviz's 'dot' is missing; install it (Debian/Ubuntu: sudo apt-get install graphviz," \
         "macOS: brew install graphviz) to render graph pictures" >&2
  fi
fi
export PATH="$PWD/.venv/bin:$PATH"
