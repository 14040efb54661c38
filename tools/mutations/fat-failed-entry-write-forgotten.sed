# file: drivers/fat/fatfile.c
# catches: fsfault.cached_growth_whose_entry_write_fails_at_cleanup_is_written_at_close
# rule: a directory-entry write that failed leaves the entry dirty, so the next flush or close writes it
s/    Fcb->EntryDirty = !NT_SUCCESS(Status);/    Fcb->EntryDirty = FALSE;/
