# fault=delay before a DPC draws a stall but does not spend it.
# Caught by vf.delay_rule_stalls_before_a_dpc_routine_for_its_seeded_time.
# file: kernel/vf/vfdelay.c
# suites: vf
# catches: vf
# rule: a delay rule stalls before the DPC routine for its drawn time
s/KeStallExecutionProcessor(us);/(void)us;/
