# fault=delay prints its FAULT line but the worker never sleeps: the item runs at once.
# Caught by vf.delay_rule_sleeps_before_each_worker_item_for_its_seeded_time.
# file: kernel/vf/vfdelay.c
# suites: vf
# catches: vf
# rule: a delay rule really delays the work item by its drawn time
s/KeDelayExecutionThread(KernelMode, FALSE, &t);/(void)t;/
