# IoDeleteDevice back to PASSIVE_LEVEL only (the false positive): caught by ddi.delete_device_at_apc_level_is_allowed
# file: kernel/vf/vf.h
# catches: ddi
s/X(IoDeleteDevice, 0, APC_LEVEL,/X(IoDeleteDevice, 0, PASSIVE_LEVEL,/
