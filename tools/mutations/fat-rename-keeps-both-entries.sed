# file: drivers/fat/fatrename.c
# catches: fsfault.rename_whose_old_entry_cannot_be_removed_leaves_one_entry_and_reports_the_error
# rule: a rename whose old entry cannot be removed takes its reservation back (the file keeps one name)
s/^            Undone = NT_SUCCESS(FatRemoveEntry(Vol, Tail->Parent, \*LfnIndex, \*ShortIndex));$/            Undone = TRUE;/
