# file: drivers/ramdisk/rdio.c
# catches: host.vf_powercut
s/VfShouldFail(VfSitePowerCut, offset \/ RD_SECTOR_SIZE, (PVOID)RdTransfer)/VfShouldFail(VfSitePowerCut, offset \/ RD_SECTOR_SIZE, (PVOID)RdTransfer) \&\& Ext->Stats.Writes > 5/
