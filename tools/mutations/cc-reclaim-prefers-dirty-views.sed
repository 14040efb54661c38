# Reclaim takes the oldest view whether clean or dirty (no clean-first preference).
# file: kernel/cc/ccview.c
# catches: cache
s/        if (!v->Dirty) {/        if (!v->Dirty \&\& 0) {/
