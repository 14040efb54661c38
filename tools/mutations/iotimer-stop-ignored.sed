# file: io/iotimer.c
# suites: iotimer
# rule: after IoStopTimer returns, the IoTimer routine is not called again
s/    if (t \&\& __atomic_exchange_n(\&t->Active, 0, __ATOMIC_SEQ_CST) \&\&/    if (t \&\& __atomic_load_n(\&t->Active, __ATOMIC_SEQ_CST) \&\& 0 \&\&/
