#!/usr/bin/env bash
# Create or reuse the project's Python environment.
#
#   scripts/bootstrap.sh            # .venv next to this repository
#
# Idempotent: when the environment already matches the pinned stack (a stamp
# keyed by this script, the lock files and pyproject.toml) it only checks that
# the package is importable, which takes a second or two.
#
# Why it is not a plain `pip install -r`: see ../shared/ENVIRONMENT.md.
#   * torch/torchvision must come from the registry as a matching pair; the
#     local CPU-only torch wheel that pip's configuration prefers breaks
#     torchvision, so they are installed with `pip --isolated`.
#   * mmcv 2.1.0 has no wheel for this torch; it is built from source with its
#     compiled ops (about 9-14 minutes on 2 cores) and the wheel is kept in a
#     cache outside the clone, keyed by python, torch and CPU/CUDA, so another
#     clone on the same machine (CI) reuses it.
#   * xtcocotools' registry wheel is built against numpy 1.x; it is rebuilt
#     from source against the installed numpy (seconds) and cached the same way.
#   * mmpose_ext's CPU kernel of deformable attention is compiled once per
#     machine (torch.utils.cpp_extension + ninja, about a minute) into the same
#     cache; `python -m mmpose_ext.ops.build` redoes it.
#   * mmdet, mmpose and openmim are installed with --no-deps (chumpy does not
#     build; openmim's chain downgrades setuptools); their runtime deps are in
#     requirements/host.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MMPOSE_EXT_VENV:-$ROOT/.venv}
CACHE=${MMPOSE_EXT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmpose_ext}
PYTHON=${PYTHON:-python3.11}

TORCH_VERSION=2.13.0
TORCHVISION_VERSION=0.28.0
MMCV_VERSION=2.1.0
XTCOCOTOOLS_VERSION=1.14.3

log() { printf '[bootstrap] %s\n' "$*" >&2; }

stamp_file="$VENV/.mmpose_ext-stamp"
want_stamp=$(cat "$ROOT/scripts/bootstrap.sh" "$ROOT/requirements/host.txt" \
    "$ROOT/requirements/lock.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)

if [[ -f "$stamp_file" && "$(cat "$stamp_file")" == "$want_stamp" ]]; then
    exit 0
fi

start=$(date +%s)
if [[ ! -x "$VENV/bin/python" ]]; then
    command -v "$PYTHON" >/dev/null || { log "need $PYTHON (set PYTHON=/path/to/python3.11)"; exit 1; }
    log "creating $VENV with $("$PYTHON" --version)"
    "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)
pyver=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')

# 1. torch + torchvision: the registry's matching pair.
have_torch=$("$PY" -c 'import torch, torchvision; print(torch.__version__.split("+")[0], torchvision.__version__.split("+")[0])' 2>/dev/null || true)
if [[ "$have_torch" != "$TORCH_VERSION $TORCHVISION_VERSION" ]]; then
    log "installing torch==$TORCH_VERSION torchvision==$TORCHVISION_VERSION (registry build)"
    "${PIP[@]}" install --isolated --quiet "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"
fi

# 2. build tools and numpy first: mmcv and xtcocotools build against them.
"${PIP[@]}" install --quiet -c "$ROOT/requirements/lock.txt" 'setuptools>=77,<81' wheel cython numpy

# CUDA ops only where there is both a GPU and a compiler for it.
variant=cpu
if command -v nvcc >/dev/null 2>&1 && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    variant="cuda$("$PY" -c 'import torch; print(torch.version.cuda)')"
fi
numpy_version=$("$PY" -c 'import numpy; print(numpy.__version__)')
wheel_dir="$CACHE/wheels/$pyver-torch$TORCH_VERSION-$variant"
mkdir -p "$wheel_dir"

# build_cached NAME VERSION [ENV=VALUE ...]: build a wheel from source once
# per cache key and install it.
build_cached() {
    local name=$1 version=$2; shift 2
    local key_dir="$wheel_dir/$name-$version"
    [[ $name == xtcocotools ]] && key_dir="$key_dir-numpy$numpy_version"
    local whl
    whl=$(ls "$key_dir"/*.whl 2>/dev/null | head -n1 || true)
    if [[ -z "$whl" ]]; then
        log "building $name==$version from source (cached afterwards in $key_dir)"
        local tmp; tmp=$(mktemp -d)
        env "$@" "${PIP[@]}" wheel --quiet --no-build-isolation --no-deps \
            --no-binary "$name" --no-cache-dir -w "$tmp" "$name==$version"
        mkdir -p "$key_dir"
        mv "$tmp"/*.whl "$key_dir"/
        rmdir "$tmp"
        whl=$(ls "$key_dir"/*.whl | head -n1)
    fi
    "${PIP[@]}" install --quiet --no-deps --force-reinstall "$whl"
}

if ! "$PY" -c 'import mmcv, mmcv.ops, sys; sys.exit(mmcv.__version__ != "'$MMCV_VERSION'")' 2>/dev/null; then
    if [[ $variant == cpu ]]; then
        build_cached mmcv "$MMCV_VERSION" MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}"
    else
        build_cached mmcv "$MMCV_VERSION" MMCV_WITH_OPS=1 FORCE_CUDA=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}"
    fi
fi
if ! "$PY" -c 'import xtcocotools.coco' 2>/dev/null; then
    build_cached xtcocotools "$XTCOCOTOOLS_VERSION"
fi

# 3. the rest of the host stack, pinned by the lock.
log "installing the pinned host stack"
grep -v -E '^(mmdet|mmpose|openmim)==' "$ROOT/requirements/host.txt" | grep -v -E '^\s*(#|$)' \
    > "$VENV/.host-deps.txt"
"${PIP[@]}" install --quiet -c "$ROOT/requirements/lock.txt" -r "$VENV/.host-deps.txt"
"${PIP[@]}" install --quiet --no-deps -c "$ROOT/requirements/lock.txt" mmdet mmpose openmim

# 4. this package, editable (the .pth layout): source edits take effect
# without reinstalling. mim looks for the package folder in site-packages
# (ENVIRONMENT.md), so that folder is a link to the source tree; pip's RECORD
# of an editable install does not list it, so pip never writes through it.
"${PIP[@]}" install --quiet --no-deps --no-build-isolation -e "$ROOT" \
    --config-settings editable_mode=compat
site_dir=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
if [[ ! -L "$site_dir/mmpose_ext" || "$(readlink "$site_dir/mmpose_ext")" != "$ROOT/mmpose_ext" ]]; then
    rm -rf "$site_dir/mmpose_ext"
    ln -s "$ROOT/mmpose_ext" "$site_dir/mmpose_ext"
fi

"$PY" - <<'EOF'
import mmcv.ops, mmdet.models, mmpose.models, torchvision.ops, xtcocotools.coco  # noqa: F401
import mmpose_ext  # noqa: F401
EOF

# 5. the compiled CPU operators (deformable attention), cached outside the
# clone like the mmcv wheel; without a compiler the package still works on
# its PyTorch paths, so a failed build only warns.
if ! "$PY" -m mmpose_ext.ops.build; then
    log "the CPU deformable-attention kernel did not build; TFPose runs on the PyTorch path (slower)"
fi
echo "$want_stamp" > "$stamp_file"
log "environment ready in $(( $(date +%s) - start )) s: $VENV"
