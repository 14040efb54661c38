# The I/O manager takes a FALSE from FastIoRead/FastIoWrite as done (no IRP fallback).
# file: io/fastio.h
# catches: fastio
s/    if (!routine(File, \&offset, Length, TRUE, Key, Buffer, \&local, top))/    if (!routine(File, \&offset, Length, TRUE, Key, Buffer, \&local, top) \&\& 0)/
