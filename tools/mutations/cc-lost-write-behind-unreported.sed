# file: kernel/cc/ccmap.c
# catches: fsfault.write_behind_that_fails_at_the_last_close_is_lost_but_reported
# rule: dirty data dropped at the last close because its write failed is reported (Delayed Write Failed), never silently
s|    if (!NT_SUCCESS(CcpFlushMap(Map, 0, ~0ull >> 1))) {|    if (!NT_SUCCESS(CcpFlushMap(Map, 0, ~0ull >> 1)) \&\& Map == NULL) {|
