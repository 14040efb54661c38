# file: kernel/cc/cccopy.c
# catches: cache.a_file_objects_last_view_gone_stale_is_a_miss_that_reads_the_right_bytes
# rule: a read without the lock copies from its last view only while that record still holds the same view of the file
s/ == Priv->Map && v->Index == index &&$/ == Priv->Map \&\&/
