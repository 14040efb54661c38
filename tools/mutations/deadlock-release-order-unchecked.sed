# file: kernel/vf/vfdeadlock.c
# suites: deadlock
# rule: an outer spin lock released before an inner one goes unreported (no 0xC4/0x1003)
s/^    if (Type == VfDlSpinLock || Type == VfDlQueuedSpinLock) {$/    if (0) {/
