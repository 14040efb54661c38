#!/bin/sh
# tools/wdkbuild.sh NAME OUT - builds drivers/samples/NAME/*.c as a WDK build would build one
# driver, into one relocatable object the kernel links: every source compiled with
# -ffunction-sections, each function a `#pragma alloc_text(PAGE, ...)` names moved into the
# kernel's pageable section and each `(INIT, ...)` one onto the driver's discardable init
# pages, then the driver linked alone (ld -r) with only its entry point left global, renamed
# WdkSample_NAME_DriverEntry. Needs CC, CFLAGS, LD, OBJCOPY.
set -e
name=$1 out=$2
dir=drivers/samples/$name
tmp=$(dirname "$out")/$name.parts
mkdir -p "$tmp"
objs=
for c in "$dir"/*.c; do
    o=$tmp/$(basename "$c" .c).o
    $CC $CFLAGS -ffunction-sections -Wno-unknown-pragmas -DALLOC_PRAGMA -DPOOL_NX_OPTIN=1 -I"$dir" -c "$c" -o "$o"
    # alloc_text: PAGE* functions go to the pageable section, INIT ones to the driver's init
    # pages, which the I/O manager discards after DriverEntry returns success
    renames=$(sed -n 's/^[[:space:]]*#[[:space:]]*pragma[[:space:]]*alloc_text[[:space:]]*(\([A-Za-z0-9_]*\)[[:space:]]*,\(.*\))[[:space:]]*$/\1 \2/p' "$c" |
        while read -r seg fns; do
            case $seg in PAGE*) to=PAGE ;; INIT) to=INIT ;; *) continue ;; esac
            for f in $(echo "$fns" | tr ',' ' '); do
                printf ' --rename-section .text.%s=%s --rename-section .text.unlikely.%s=%s' "$f" $to "$f" $to
            done
        done)
    if [ -n "$renames" ]; then
        # shellcheck disable=SC2086
        $OBJCOPY $renames "$o"
    fi
    objs="$objs $o"
done
# The driver's INIT code on whole pages of its own, bracketed by two labels, and a row for the
# I/O manager (boot/linker.ld's .kinitranges): DriverEntry, where INIT starts, where it ends.
cat >"$tmp/init-begin.S" <<EOF
    .section INIT,"ax",@progbits
    .balign 4096
    .globl WdkSample_${name}_InitStart
WdkSample_${name}_InitStart:
    .section .note.GNU-stack,"",@progbits
EOF
cat >"$tmp/init-end.S" <<EOF
    .section INIT,"ax",@progbits
    .balign 4096
WdkSample_${name}_InitEnd:
    .section .kinitranges,"a",@progbits
    .balign 8
    .quad DriverEntry, WdkSample_${name}_InitStart, WdkSample_${name}_InitEnd
    .section .note.GNU-stack,"",@progbits
EOF
$CC -c "$tmp/init-begin.S" -o "$tmp/init-begin.o"
$CC -c "$tmp/init-end.S" -o "$tmp/init-end.o"
# shellcheck disable=SC2086
$LD -r -o "$tmp/all.o" "$tmp/init-begin.o" $objs "$tmp/init-end.o"
$OBJCOPY --redefine-sym DriverEntry=WdkSample_${name}_DriverEntry "$tmp/all.o" "$tmp/renamed.o"
$OBJCOPY --keep-global-symbol=WdkSample_${name}_DriverEntry "$tmp/renamed.o" "$out"
