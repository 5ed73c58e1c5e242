# Shared set-up for scripts/run and scripts/test: installs what a fresh Debian machine with a
# Rust toolchain lacks. Sourced, not executed.

set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root to run: $*"; fi
}

APT_UPDATED=0
# Installs Debian packages that are missing.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "please install: ${missing[*]}"
    say "installing ${missing[*]}"
    if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Build prerequisites: a C compiler (bundled SQLite, aws-lc) and libpq for PostgreSQL.
ensure_build_deps() {
    command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain (https://rustup.rs)"
    apt_install gcc libc6-dev pkg-config libpq-dev
}

# What the author-list tests check exports with: xmllint (authors.xml against INSPIRE's DTD)
# and pdflatex with REVTeX 4.2 (authors.tex compiles).
ensure_export_checkers() {
    apt_install libxml2-utils texlive-latex-base texlive-latex-recommended texlive-publishers
}

# The WebAssembly target of the frontend.
ensure_wasm_target() {
    if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target"
        timeout 600 rustup target add wasm32-unknown-unknown ||
            die "could not add the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown)"
    fi
}

# binaryen's wasm-opt (from npm: Debian's binaryen is too old for current Rust output).
ensure_wasm_opt() {
    local tools="${CARGO_TARGET_DIR:-$ROOT/target}/tools"
    local bin="$tools/node_modules/.bin/wasm-opt"
    if [ ! -x "$bin" ]; then
        command -v npm >/dev/null || apt_install nodejs npm
        say "installing wasm-opt (binaryen) for the web build"
        mkdir -p "$tools"
        timeout 600 npm install --silent --no-audit --no-fund --prefix "$tools" binaryen@132 >/dev/null ||
            die "could not install binaryen from npm (npm install binaryen@132)"
    fi
    export WASM_OPT="$bin"
}

# axe-core, the accessibility checker the browser tests run in each page.
ensure_axe() {
    local tools="${CARGO_TARGET_DIR:-$ROOT/target}/tools"
    local axe="$tools/node_modules/axe-core/axe.min.js"
    if [ ! -f "$axe" ]; then
        command -v npm >/dev/null || apt_install nodejs npm
        say "installing axe-core for the accessibility checks"
        mkdir -p "$tools"
        timeout 600 npm install --silent --no-audit --no-fund --prefix "$tools" axe-core@4 >/dev/null ||
            die "could not install axe-core from npm (npm install axe-core@4)"
    fi
    export B2MMS_AXE="$axe"
}

# A Python environment of our own for the contract tools, from PyPI: the OpenAPI validator,
# schemathesis (contract fuzzing) and openapi-python-client (a generated client's story).
ensure_python_tools() {
    local venv="${CARGO_TARGET_DIR:-$ROOT/target}/tools/venv"
    if [ ! -x "$venv/bin/openapi-spec-validator" ] || [ ! -x "$venv/bin/st" ] ||
        [ ! -x "$venv/bin/openapi-python-client" ]; then
        command -v python3 >/dev/null || apt_install python3
        [ -x "$venv/bin/pip" ] || python3 -m venv "$venv" 2>/dev/null ||
            { apt_install python3-venv; python3 -m venv "$venv"; }
        say "installing the OpenAPI validator and schemathesis"
        timeout 900 "$venv/bin/pip" install -q openapi-spec-validator 'schemathesis>=4,<5' \
            'openapi-python-client>=0.29,<0.30' ||
            die "could not install the contract tools from PyPI"
    fi
    export PATH="$venv/bin:$PATH"
    export B2MMS_PYTHON_TOOLS="$venv/bin"
}

# A real Mailman 3 core from PyPI, for the mailing-list sync tests (SQLAlchemy held below 2.1,
# which Mailman 3.3 does not support yet). Its command is exported as B2MMS_MAILMAN.
ensure_mailman() {
    local venv="${CARGO_TARGET_DIR:-$ROOT/target}/tools/mailman"
    if [ ! -x "$venv/bin/mailman" ]; then
        command -v python3 >/dev/null || apt_install python3
        [ -x "$venv/bin/pip" ] || python3 -m venv "$venv" 2>/dev/null ||
            { apt_install python3-venv; python3 -m venv "$venv"; }
        say "installing Mailman 3 core"
        timeout 900 "$venv/bin/pip" install -q 'mailman==3.3.10' 'sqlalchemy>=2.0,<2.1' ||
            die "could not install Mailman from PyPI"
    fi
    export B2MMS_MAILMAN="$venv/bin/mailman"
}

build_web() {
    ensure_wasm_opt
    say "building the web frontend"
    cargo run -q -p xtask -- web
}
