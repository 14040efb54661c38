#!/bin/bash
# tests/host/fat_rename_powercut.sh - a rename cut off after each of its disk writes leaves a
# volume fsck.fat repairs without cross-linking: never two names on one chain, the data under
# one name (or, in the move's middle, a leaked chain fsck reclaims), as campaign seed 608 wanted.
. "$(dirname "$0")/lib.bash"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export MTOOLS_SKIP_CHECK=1
python3 -c 'import sys; sys.stdout.buffer.write(b"".join(bytes([0x60 + k]) * 512 for k in range(8)))' > "$work/want"
# the campaign's own judgement of an exported disk (tools/campaign.py)
camp() { python3 -c "import sys; sys.path.insert(0, '$(dirname "$0")/../../tools'); import campaign; $1"; }
cuts=0
for long in 0 1; do
    old=$([ $long = 1 ] && echo "Rename old name.bin" || echo RNOLD.BIN)
    for k in 1 2 3 4 5 6; do
        rc=0
        log=$(timeout 120 $QEMU -serial stdio -debugcon file:"$work/disk.img" -kernel "$KERNEL" \
              -append "ktest=fsfault.rename_with_the_power_cut_after_its_kth_write rncut=$k $([ $long = 1 ] && echo rnlong) verifier=all ramdisk.exporttrim" \
              </dev/null 2>&1 | tr -d '\r') || rc=$?
        grep -q "^not ok" <<<"$log" && fail "rnlong=$long rncut=$k: $(kernel_failures "$log")"
        if grep -q "^RENAME-DONE" <<<"$log"; then
            [ $k -gt 1 ] || fail "rnlong=$long: the rename wrote nothing"
            echo "rnlong=$long: the rename took $((k - 1)) write(s)"
            break
        fi
        [ $rc = 33 ] || fail "rnlong=$long rncut=$k: QEMU exit status $rc: $(kernel_failures "$log")"
        grep -q "^VF-POWERCUT after write" <<<"$log" || fail "rnlong=$long rncut=$k: no power cut"
        echo "$log" > "$work/log"
        camp "import sys; sys.exit(0 if campaign.restore_disk(open('$work/log').read(), '$work/disk.img') else 1)" \
            || fail "rnlong=$long rncut=$k: the export is incomplete"
        fsck=$(fsck.fat -n "$work/disk.img" 2>&1 || true)
        grep -q "share clusters" <<<"$fsck" && fail "rnlong=$long rncut=$k: two names on one chain: $fsck"
        bad=$(camp "import sys; print(' / '.join(campaign.fsck_problems(sys.stdin.read())))" <<<"$fsck")
        [ -z "$bad" ] || fail "rnlong=$long rncut=$k: fsck: $bad"
        held=0
        for name in "$old" RNNEW.BIN; do
            if mtype -i "$work/disk.img" "::/$name" > "$work/got" 2>/dev/null && [ -s "$work/got" ]; then
                cmp -s "$work/got" "$work/want" || fail "rnlong=$long rncut=$k: $name holds other data"
                held=$((held + 1))
            fi
        done
        [ $held -le 1 ] || fail "rnlong=$long rncut=$k: both names hold the data"
        [ $held = 1 ] || grep -q "Reclaimed" <<<"$fsck" || fail "rnlong=$long rncut=$k: the data is nowhere: $fsck"
        echo "rnlong=$long rncut=$k: data under $held name(s); fsck: $(grep -c . <<<"$fsck") lines, none a cross-link"
        cuts=$((cuts + 1))
    done
done
[ $cuts -ge 4 ] || fail "only $cuts cuts were judged"
echo "rename power cuts: $cuts cut points judged, no cross-link"
