# file: drivers/fat/fatdir.c
# catches: host.fat_rename_powercut
# rule: a name's entries inside one sector reach the disk in one write (a cut never leaves part of a long name)
s/^        while (NT_SUCCESS(Status) \&\& I + N < Count \&\& (Offset/        while (FALSE \&\& I + N < Count \&\& (Offset/
