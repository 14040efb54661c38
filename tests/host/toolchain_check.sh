#!/bin/bash
# tests/host/toolchain_check.sh - a missing toolchain is named in one line: `make CROSS=nosuch-`
# fails before compiling anything, and tools/need.sh does not run apt-get for a package that
# is installed but lacks the command asked for.
. "$(dirname "$0")/lib.bash"
here=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$here" CROSS=nosuch- all 2>&1) || rc=$?
[ $rc != 0 ] || fail "make CROSS=nosuch- exited 0"
[ "$(echo "$out" | grep -c .)" = 1 ] || fail "make CROSS=nosuch- printed $(echo "$out" | grep -c .) lines: $out"
case "$out" in *"toolchain 'nosuch-' is missing: nosuch-gcc not found"*) ;; *) fail "unexpected message: $out" ;; esac
rc=0
out=$("$here/tools/need.sh" nosuch-tool-for-test dpkg 2>&1) || rc=$?
[ $rc = 1 ] || fail "need.sh exit status $rc for a missing command"
case "$out" in
    *"need: installing"*) fail "need.sh ran apt-get for the installed package dpkg: $out" ;;
    "missing host tool 'nosuch-tool-for-test': package 'dpkg' is installed"*) ;;
    *) fail "need.sh said: $out" ;;
esac
echo "make CROSS=nosuch-: one line, status $rc; need.sh: no apt-get for an installed package"
