#!/bin/sh
# rustc wrapper of the firmware crates (`build.rustc-wrapper` in their
# `.cargo/config.toml`): the source paths that land in a firmware image —
# panic locations in `.rodata` — are written relative, as cargo's unstable
# `trim-paths` would, so the image is the same wherever the repository and
# cargo's home are (a longer checkout path would otherwise cost flash):
#
#   <repository>/src/urc.rs                     -> quectel-ssl/src/urc.rs
#   $CARGO_HOME/registry/src/<index>/heapless-0.9.3/src/vec.rs
#                                               -> heapless-0.9.3/src/vec.rs
#
# The firmware crate's own files are relative already (cargo passes them
# so), the standard library's read /rustc/<commit>/library/... in every
# toolchain. Debug information gets the same relative paths: point the
# debugger at the sources (gdb: `set substitute-path quectel-ssl <repo>`).
# (`--remap-path-scope=macro` would keep them absolute, but rustc 1.95 then
# leaves the absolute path of a registry crate's generic code that another
# crate instantiates, e.g. embedded-io's `write_all`, in `.rodata`.)
#
# Cargo calls this with the path of rustc first and rustc's arguments after
# it; the flags are added at the end.
set -eu
repo=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd -P)
home=${CARGO_HOME:-$HOME/.cargo}
set -- "$@" "--remap-path-prefix=$repo=quectel-ssl"
for dir in "$home"/registry/src/*/ "$home"/git/checkouts/; do
    if [ -d "$dir" ]; then
        set -- "$@" "--remap-path-prefix=${dir%/}="
    fi
done
exec "$@"
