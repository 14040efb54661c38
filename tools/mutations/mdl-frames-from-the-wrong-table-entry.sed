# file: io/mdl.c
# suites: fs,fsstack,ob
# rule: an MDL records each page's own frame (the page table's entry for that page)
s/^                ULONG64 e = pt\[(va >> 12) & 511\];$/                ULONG64 e = pt[((va >> 12) + (i \& 1)) \& 511];/
