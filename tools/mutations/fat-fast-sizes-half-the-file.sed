# file: drivers/fat/fatfile.c
# suites: fastio,fs
# rule: the cached path's file size is the file's own (FatQueryFileSizes), so a fast read stops at the real end of file
s/^    \*FileSize = Fcb->IsDirectory ? 0 : Fcb->FileSize;$/    *FileSize = Fcb->IsDirectory ? 0 : Fcb->FileSize \/ 2;/
