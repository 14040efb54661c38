# file: drivers/fltmgr/fltdispatch.c
# suites: fltmgr
# rule: a post callback drained at teardown is not called again when the operation completes
s/if (!Ctrl->Stack\[i\].Called) {/if (1) {/
