#!/usr/bin/env bash
# Builds the Debian packages with CPack into a temporary folder, checks their metadata and
# contents, unpacks them into a temporary root and runs the tool from there. Everything is
# removed at the end.
#
#   ci/test-package.sh CPACK BUILD_DIR VERSION
set -euo pipefail
[[ $# -eq 3 ]] || { echo "usage: $0 CPACK BUILD_DIR VERSION" >&2; exit 2; }
cpack=$1
build=$(realpath "$2")
version=$3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
arch=$(dpkg --print-architecture)
deb=$tmp/packages/pop3-conform_${version}_$arch.deb
dev_deb=$tmp/packages/pop3-conform-dev_${version}_$arch.deb

step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "cpack -G DEB into $tmp/packages"
(cd "$tmp" && "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/packages") \
    >"$tmp/cpack.log" 2>&1 || {
    cat "$tmp/cpack.log"
    fail "cpack"
}
[[ -f $deb && -f $dev_deb ]] || {
    ls "$tmp/packages"
    fail "expected $(basename "$deb") and $(basename "$dev_deb")"
}

cat "$tmp/cpack.log"

step "metadata"
dpkg-deb -I "$deb"
dpkg-deb -I "$dev_deb"
depends=$(dpkg-deb -f "$deb" Depends)
for dependency in libpoco libyaml-cpp libssl; do
    [[ $depends == *"$dependency"* ]] || fail "Depends lacks $dependency: $depends"
done
dev_depends=$(dpkg-deb -f "$dev_deb" Depends)
[[ $dev_depends == *libpoco-dev* ]] || fail "the -dev package's Depends lacks libpoco-dev"

step "contents"
root=$tmp/root
dpkg -x "$deb" "$root"
dpkg -x "$dev_deb" "$root"
for file in usr/bin/pop3-conform usr/include/pop3/Client.h usr/include/pop3/mock/MockServer.h; do
    [[ -f $root/$file ]] || fail "$file is not in the packages"
done
for file in pop3conformConfig.cmake pop3conformConfigVersion.cmake libpop3_net.a; do
    [[ -n $(find "$root/usr/lib" -name "$file") ]] || fail "$file is not in the packages"
done
pc=$(find "$root/usr/lib" -name pop3conform.pc)
[[ -n $pc ]] || fail "pop3conform.pc is not in the packages"
grep -qx 'prefix=/usr' "$pc" || fail "pop3conform.pc does not have prefix=/usr"
[[ $("$root/usr/bin/pop3-conform" --version) == "pop3-conform $version" ]] ||
    fail "pop3-conform --version is not 'pop3-conform $version'"
man_page=$root/usr/share/man/man1/pop3-conform.1.gz
if grep -q '^HELP2MAN:FILEPATH=.*help2man$' "$build/CMakeCache.txt"; then
    [[ -f $man_page ]] || fail "the man page is not in the package"
    man -l "$man_page" 2>/dev/null | grep -q SUBCOMMANDS || fail "man -l does not show the page"
else
    echo "help2man was not found at configure time: no man page to check"
fi
echo "ok"
