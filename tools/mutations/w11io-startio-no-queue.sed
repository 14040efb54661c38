# IoStartPacket starting every packet at once instead of queueing behind the current one:
# caught by wdk_startio.reads_run_one_at_a_time_and_complete_in_order
# file: io/startio.c
# catches: wdk_startio
s/    if (!queued) {/    if (TRUE) {/
