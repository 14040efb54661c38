# file: drivers/fat/fatrename.c
# catches: host.fat_rename_powercut
# rule: a moved entry's new name names no clusters until the old name is gone (seed 608: a cut between left two names on one chain)
s/^    FatSetEntryCluster(&Reserve, 0);$/    (VOID)0;/
s/^    Reserve.FileSize = 0;$/    (VOID)0;/
