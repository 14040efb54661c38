# file: drivers/fltmgr/fltinstance.c
# suites: fltmgr
# rule: instances sit on a volume highest altitude first, so pre callbacks run top down and post callbacks bottom up
s/VolumeLink)->Altitude < i->Altitude/VolumeLink)->Altitude > i->Altitude/
