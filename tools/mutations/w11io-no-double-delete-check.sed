# a second IoDeleteDevice silently ignored again: caught by ddi.second_delete_of_a_device_is_c9_240
# file: io/device.c
# catches: ddi
s/if ((doe->ExtensionFlags \& DOE_DELETE_PENDING) \&\& IopVerifying())/if (FALSE)/
