# file: drivers/fat/fatrename.c
# catches: fsfault.rename_whose_undo_fails_once_tries_again_and_leaves_one_entry
# rule: a rename whose new entry cannot be taken back at once tries again (seed 436: two names on one chain, then a freed chain)
s/for (ULONG Try = 0; Try < 3 \&\& !Undone; Try++)/for (ULONG Try = 0; Try < 1 \&\& !Undone; Try++)/
