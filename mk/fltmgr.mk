# mk/fltmgr.mk - the test minifilters are WDK-style sources, each with its own DriverEntry: the
# symbol is renamed per file (name_DriverEntry), as separate driver images would keep them apart.
$(B)/tests/flt/%.c.o: CFLAGS += -DDriverEntry=$(firstword $(subst ., ,$(notdir $<)))_DriverEntry
# WDK samples end their tables with `{ IRP_MJ_OPERATION_END }`: C zero-fills the rest, which
# -Wextra would flag; MSVC's WDK build does not, so driver sources build without that warning.
$(B)/tests/flt/%.c.o: CFLAGS += -Wno-missing-field-initializers
