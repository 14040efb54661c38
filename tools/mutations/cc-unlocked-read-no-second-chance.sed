# file: kernel/cc/cccopy.c
# catches: cache.a_view_read_only_without_the_lock_is_not_the_one_reclaim_takes
# rule: a view read without the lock counts as used for reclaim (its second chance)
s/^            v->Referenced = TRUE;$/            v->Referenced = FALSE;/
