# remove-lock tags not checked: caught by wdk_csq.remove_lock_release_with_a_tag_never_acquired_is_c4_d5
# file: io/remlock.c
# catches: wdk_csq
s/    if (IopVerifying() \&\& !IopRecordRelease(RemoveLock, Tag, \&other)) {/    if (FALSE \&\& !IopRecordRelease(RemoveLock, Tag, \&other)) {/
