# file: drivers/fat/fsddisk.c
# catches: fsfault.paging_write_whose_transfer_allocation_fails_is_written_synchronously_at_apc_level
# rule: at APC_LEVEL FAT's own disk writes must not leave a completion APC that outlives their frame
s/if (!Write || KeGetCurrentIrql() != PASSIVE_LEVEL)/if (!Write)/
