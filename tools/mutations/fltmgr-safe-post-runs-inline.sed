# file: drivers/fltmgr/fltpend.c
# suites: fltmgr
# rule: FltDoCompletionProcessingWhenSafe moves the callback to PASSIVE_LEVEL when it is called above APC_LEVEL
s/if (KeGetCurrentIrql() <= APC_LEVEL) {/if (TRUE) {/
