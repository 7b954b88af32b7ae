#!/bin/sh
# CI step: builds ardent's libFuzzer harnesses with clang and runs each for a
# minute (see `make fuzz`); fails on any crash or broken invariant. Must never
# run the targets in parallel (CI has two shared cores).
set -e
cd "$(dirname "$0")/.."
exec make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
