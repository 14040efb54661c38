# page faults no longer reach __try handlers: caught by seh.access_violation_reaches_the_handler_through_the_trap_path
# file: kernel/mm/fault.c
# catches: seh
s/if (Address < MM_USER_PROBE_ADDRESS \&\& KiDispatchSehException(TrapFrame, STATUS_ACCESS_VIOLATION))/if (FALSE)/
