#!/bin/sh
# tools/mksyms.sh ELF OUT.S - writes the kernel's function symbol table (sorted by address)
# as assembly for the .ksyms section; with no ELF, an empty table for the first link.
set -e
out=$2
{
  echo '    .section .ksyms, "a"'
  echo '    .balign 8'
  echo '    .globl KiSymbolCount, KiSymbolTable'
  if [ -n "$1" ]; then
    nm -n --defined-only "$1" | awk '$2 ~ /^[tTW]$/ && $3 !~ /^(\.|__kdriver_text)/ { print $1, $3 }' > "$out.list"
  else
    : > "$out.list"
  fi
  echo "KiSymbolCount: .quad $(wc -l < "$out.list")"
  echo 'KiSymbolTable:'
  awk '{ printf "    .quad 0x%s, .Ls%d\n", $1, NR }' "$out.list"
  awk '{ printf ".Ls%d: .asciz \"%s\"\n", NR, $2 }' "$out.list"
} > "$out"
rm -f "$out.list"
