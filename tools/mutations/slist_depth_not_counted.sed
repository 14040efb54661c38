# A pop does not count the depth down.
# file: kernel/ex/slist.c
# suites: exlist,lookaside
s/new.HeaderX64.Depth = old.HeaderX64.Depth - 1;/new.HeaderX64.Depth = old.HeaderX64.Depth;/
