# file: drivers/ramdisk/rdio.c
# catches: vf.torn_write_lands_its_first_sectors_then_fails
s/ULONG landed = fault.TornSectors \* RD_SECTOR_SIZE;/ULONG landed = length;/
