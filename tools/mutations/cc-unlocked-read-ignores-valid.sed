# file: kernel/cc/cccopy.c
# catches: cache.a_page_not_valid_in_the_last_view_read_is_read_not_copied_stale
# rule: a read without the lock copies only pages that are valid in the view
s/^                  (v->Valid & need) == need;$/                  need;/
