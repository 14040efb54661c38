# The cache manager never reads ahead of a sequential reader.
# file: kernel/cc/cccopy.c
# catches: fsstack
s/^    if (Wait && NT_SUCCESS(IoStatus->Status) && off == priv->NextRead && Length && CcpReadAhead(map, end - 1))$/    if (0 \&\& CcpReadAhead(map, end - 1))/
