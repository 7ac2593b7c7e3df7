#!/usr/bin/env bash
# The one bootstrap of `make up`, `make test` and CI (.ci/run) on Debian 12: install what is missing, then
# stop. When everything is there it only looks (file and command checks) and says how long that took.
#
#   deploy/bootstrap.sh        what `make up` needs
#   deploy/bootstrap.sh test   that plus what the test suite needs (browser, compose, speech, promtool)
#
# Debian packages are installed when run as root; anyone else gets the one `apt-get install` line to run and
# a non-zero exit. uv comes from PyPI (pip --user, into ~/.local/bin, which the Makefile puts on PATH); the
# workspace from uv.lock (`uv sync --frozen`); the web app's packages from package-lock.json (`npm ci`, only
# when node_modules is older); Kafka, Keycloak, a Go toolchain, mailpit and stripe-mock by `devstack provision`
# (Maven Central and the Go module proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-up}
case $purpose in up | test) ;; *) echo "usage: $0 [up|test]" >&2; exit 2 ;; esac
started=$(date +%s%N)
done_steps=()
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.local/bin:$PATH:/usr/local/go/bin"
say() { echo "bootstrap │ $*"; }

# --- Debian packages -------------------------------------------------------------------------------------
missing=()
need() { command -v "$1" >/dev/null || missing+=("${@:2}"); }
need python3 python3
need redis-server redis-server
need mvn maven                 # fetches Kafka's and Keycloak's artefacts from Maven Central
need ffmpeg ffmpeg             # the media worker
need prometheus prometheus     # the local stack's metrics (promtool comes with it)
need npm nodejs npm            # the web app
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
if ! command -v uv >/dev/null && ! python3 -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi
if [[ $purpose == test ]]; then
    need docker-compose docker-compose  # the compose file's checks
    need espeak-ng espeak-ng            # speech-like audio for the media and transcription tests
    need promtool prometheus            # alert rules and their unit tests
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)  # the web app's browser journey (Playwright)
fi
if ((${#missing[@]})); then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    if [[ $(id -u) -ne 0 ]]; then
        say "missing Debian packages; install them, then run this again:" >&2
        echo "sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 1
    fi
    say "installing ${missing[*]}"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
    done_steps+=("apt: ${missing[*]}")
fi

# --- uv, then the workspace ------------------------------------------------------------------------------
if ! command -v uv >/dev/null; then
    say "installing uv from PyPI into ~/.local/bin"
    # Debian's Python refuses pip installs outside a venv (PEP 668) unless told; uv is one self-contained binary.
    python3 -m pip install --user --quiet uv 2>/dev/null ||
        python3 -m pip install --user --quiet --break-system-packages uv
    hash -r
    command -v uv >/dev/null || { say "uv was installed but is not on PATH (expected ~/.local/bin/uv)" >&2; exit 1; }
    done_steps+=("uv")
fi
# A venv newer than the lock and every pyproject is in sync: skip even uv's own check.
stamp=.venv/.bootstrap-synced
if [[ ! -f $stamp ]] || [[ -n $(find uv.lock pyproject.toml libs services deploy devtools -maxdepth 3 \
    \( -name uv.lock -o -name pyproject.toml \) -newer "$stamp" -print -quit 2>/dev/null) ]]; then
    uv sync --frozen --quiet
    touch "$stamp"
    done_steps+=("uv sync")
fi

# --- the web app's packages (npm records each install in node_modules/.package-lock.json) -----------------
if [[ -f web/package-lock.json && ! web/node_modules/.package-lock.json -nt web/package-lock.json ]]; then
    say "installing the web app's packages (npm ci)"
    (cd web && npm ci --no-audit --no-fund)
    done_steps+=("npm ci")
fi

# --- what the servers need: Maven artefacts, the Go toolchain and the Go-built servers -------------------
.venv/bin/devstack provision

elapsed=$((($(date +%s%N) - started) / 1000000))
if ((${#done_steps[@]})); then
    say "done in $((elapsed / 1000)).$(printf %03d $((elapsed % 1000)))s: $(IFS=,; echo "${done_steps[*]}")"
else
    say "nothing to install; checked in $((elapsed / 1000)).$(printf %03d $((elapsed % 1000)))s"
fi
