#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds docs/examples/consumer against it twice,
# with find_package(pop3conform) and with `pkg-config --cflags --libs pop3conform`; each program
# serves a message from the mock server and retrieves it. Everything is removed at the end.
#
#   ci/test-install.sh CMAKE BUILD_DIR CONSUMER_SOURCE_DIR
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 CMAKE BUILD_DIR CONSUMER_SOURCE_DIR" >&2; exit 2; }
cmake=$1
build=$(realpath "$2")
consumer=$(realpath "$3")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "cmake --install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" || {
    cat "$tmp/install.log"
    fail "cmake --install"
}
for file in bin/pop3-conform include/pop3/Client.h include/pop3/mock/MockServer.h \
    include/pop3/conformance/CheckRunner.h; do
    [[ -f $prefix/$file ]] || fail "$file is not installed"
done
config=$(find "$prefix" -name pop3conformConfig.cmake)
pc=$(find "$prefix" -name pop3conform.pc)
[[ -n $config ]] || fail "pop3conformConfig.cmake is not installed"
[[ -n $pc ]] || fail "pop3conform.pc is not installed"
libdir=$(dirname "$(find "$prefix" -name libpop3_protocol.a)")
for lib in protocol net mock_scenario mock mock_runner conformance; do
    [[ -f $libdir/libpop3_$lib.a ]] || fail "libpop3_$lib.a is not installed"
done

step "find_package(pop3conform): configure, build and run the consumer"
"$cmake" -S "$consumer" -B "$tmp/consumer-build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Release >"$tmp/configure.log" || {
    cat "$tmp/configure.log"
    fail "configuring the consumer"
}
"$cmake" --build "$tmp/consumer-build" >"$tmp/build.log" || {
    cat "$tmp/build.log"
    fail "building the consumer"
}
"$tmp/consumer-build/consumer" || fail "the consumer built with find_package"

step "pkg-config: build and run the consumer"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
echo "pkg-config --cflags --libs pop3conform: $(pkg-config --cflags --libs pop3conform)"
[[ $(pkg-config --modversion pop3conform) == "$(grep -Po '^Version: \K.*' "$pc")" ]] ||
    fail "pkg-config --modversion"
# shellcheck disable=SC2046 # the flags are words
"${CXX:-c++}" -std=c++17 "$consumer/main.cpp" -o "$tmp/consumer-pkg-config" \
    $(pkg-config --cflags --libs pop3conform) || fail "building the consumer with pkg-config"
"$tmp/consumer-pkg-config" || fail "the consumer built with pkg-config"
echo "ok"
