#!/bin/sh
# tools/need.sh COMMAND PACKAGE - makes sure a host tool exists: installs PACKAGE with
# apt-get when we are root on Debian/Ubuntu, otherwise stops with one line naming it.
# COMMAND may be an absolute path (a file or folder the package provides).
cmd=$1 pkg=$2
have() { case "$cmd" in /*) [ -e "$cmd" ] ;; *) command -v "$cmd" >/dev/null 2>&1 ;; esac; }
have && exit 0
# The package is there but the command is not: installing again would change nothing.
if command -v dpkg-query >/dev/null 2>&1 && dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    echo "missing host tool '$cmd': package '$pkg' is installed but does not provide it (wrong name or prefix?)" >&2
    exit 1
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "need: installing $pkg (for $cmd)" >&2
    stamp=/tmp/.irqlab-apt-updated
    [ -f $stamp ] || { apt-get update -qq >/dev/null 2>&1 && touch $stamp; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1
    have && exit 0
fi
echo "missing host tool '$cmd': install the package '$pkg' (apt-get install $pkg)" >&2
exit 1
