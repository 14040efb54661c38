# file: drivers/fltmgr/fltinstance.c
# suites: fltmgr
# rule: a teardown calls every post callback the instance is still owed, with FLTFL_POST_OPERATION_DRAINING
/^static VOID FltpDrain(PFLT_INSTANCE Instance)$/,/^{$/ s/^{$/{ return;/
