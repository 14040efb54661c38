# file: drivers/fat/fatrename.c
# catches: fsfault.short_rename_in_one_directory_is_one_write_in_place
# rule: an 8.3 rename inside one directory rewrites the entry where it stands, one write (power-cut seeds 568, 608, ...)
s/^    if (Tail->Parent == Fcb->Parent \&\& Fcb->LfnIndex == Fcb->EntryIndex \&\&$/    if (FALSE \&\& Fcb->LfnIndex == Fcb->EntryIndex \&\&/
