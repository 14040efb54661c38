# The cache manager never reads ahead of a sequential reader.
# file: kernel/cc/cccopy.c
# catches: fsstack
s/^    if (Wait \&\& NT_SUCCESS(IoStatus->Status) \&\& off == priv->NextRead \&\& Length)$/    if (0)/
