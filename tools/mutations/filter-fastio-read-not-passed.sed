# The filter answers FastIoRead itself with FALSE instead of passing it down.
# file: drivers/filter/fltfastio.c
# catches: fastio
# rule: a legacy filter must pass every fast I/O routine down to the device below
s/    if (!fio || !fio->FastIoRead || !fio->FastIoRead(FileObject, FileOffset, Length, Wait, LockKey, Buffer, IoStatus, lower))/    (void)fio; (void)FileObject; (void)FileOffset; (void)Length; (void)Wait; (void)LockKey; (void)Buffer; (void)lower;\n    if (1)/
