# Reclaim under the working-set limit frees the oldest dirty view without writing it.
# file: kernel/cc/ccview.c
# catches: cache
s/    if (!dirty || !NT_SUCCESS(CcpWriteView(dirty->Map, dirty)) || dirty->Dirty)/    if (!dirty)/
