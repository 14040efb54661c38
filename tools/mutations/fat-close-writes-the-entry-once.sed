# file: drivers/fat/fsdcreate.c
# catches: fsfault.cached_growth_survives_two_failed_entry_writes_in_a_row_at_close
# rule: the last close tries a dirty entry's write more than once before the FCB (the only record of the new size) goes
s/for (ULONG tries = 0; tries < 12 \&\& others < 3; tries++)/for (ULONG tries = 0; tries < 1; tries++)/
