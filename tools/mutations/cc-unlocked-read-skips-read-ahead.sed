# file: kernel/cc/cccopy.c
# catches: cache.a_reader_turning_sequential_inside_a_view_still_gets_read_ahead
# rule: a sequential reader gets read-ahead even where its reads need no lock
s/^    if (Off == Priv->NextRead && Priv->ReadAheadDoneIn != index + 1)$/    if (0 \&\& Off == Priv->NextRead)/
