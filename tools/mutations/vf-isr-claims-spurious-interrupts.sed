# file: drivers/ramdisk/rdisr.c
# catches: vf.spurious_interrupts_are_refused_by_the_isr_and_lose_nothing
s/        ext->Stats.Spurious++;/        KeInsertQueueDpc(\&ext->Dpc, NULL, NULL);/
