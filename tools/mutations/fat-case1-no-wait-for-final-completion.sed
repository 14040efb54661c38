# file: drivers/fat/fsddisk.c
# catches: fsfault.paging_write_whose_transfer_allocation_fails_is_written_synchronously_at_apc_level
# rule: both halves reverted: case 1 at APC_LEVEL and no wait for the pended IRP's final completion
s/if (!Write || KeGetCurrentIrql() != PASSIVE_LEVEL)/if (!Write)/
s/    if (pended) \/\*/    if (pended \&\& 0) \/*/
