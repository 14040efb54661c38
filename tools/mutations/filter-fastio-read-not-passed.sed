# The filter answers FastIoRead itself with FALSE instead of passing it down.
# file: drivers/filter/fltfastio.c
# catches: fastio
s/    if (!fio || !fio->FastIoRead || !fio->FastIoRead(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower))/    if (1)/
