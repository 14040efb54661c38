#!/bin/sh
# tools/wdkbuild.sh NAME OUT - builds drivers/samples/NAME/*.c as a WDK build would build one
# driver, into one relocatable object the kernel links: every source compiled with
# -ffunction-sections, each function a `#pragma alloc_text(PAGE|INIT, ...)` names moved into
# the kernel's pageable section, then the driver linked alone (ld -r) with only its entry
# point left global, renamed WdkSample_NAME_DriverEntry. Needs CC, CFLAGS, LD, OBJCOPY.
set -e
name=$1 out=$2
dir=drivers/samples/$name
tmp=$(dirname "$out")/$name.parts
mkdir -p "$tmp"
objs=
for c in "$dir"/*.c; do
    o=$tmp/$(basename "$c" .c).o
    $CC $CFLAGS -ffunction-sections -Wno-unknown-pragmas -DALLOC_PRAGMA -DPOOL_NX_OPTIN=1 -I"$dir" -c "$c" -o "$o"
    # alloc_text: PAGE* and INIT functions go to the pageable section (INIT is not discarded here)
    renames=$(sed -n 's/^[[:space:]]*#[[:space:]]*pragma[[:space:]]*alloc_text[[:space:]]*(\([A-Za-z0-9_]*\)[[:space:]]*,\(.*\))[[:space:]]*$/\1 \2/p' "$c" |
        while read -r seg fns; do
            case $seg in PAGE*|INIT) ;; *) continue ;; esac
            for f in $(echo "$fns" | tr ',' ' '); do
                printf ' --rename-section .text.%s=PAGE --rename-section .text.unlikely.%s=PAGE' "$f" "$f"
            done
        done)
    if [ -n "$renames" ]; then
        # shellcheck disable=SC2086
        $OBJCOPY $renames "$o"
    fi
    objs="$objs $o"
done
# shellcheck disable=SC2086
$LD -r -o "$tmp/all.o" $objs
$OBJCOPY --redefine-sym DriverEntry=WdkSample_${name}_DriverEntry "$tmp/all.o" "$tmp/renamed.o"
$OBJCOPY --keep-global-symbol=WdkSample_${name}_DriverEntry "$tmp/renamed.o" "$out"
