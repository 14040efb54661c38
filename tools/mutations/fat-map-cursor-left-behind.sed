# file: drivers/fat/fatfile.c
# suites: fs,fshost,fsstack
# rule: the chain cursor names the cluster at its index (a later seek starts from it)
s/^        Fcb->Cursor.Index = Index + Count - 1;$/        Fcb->Cursor.Index = Index + Count;/
