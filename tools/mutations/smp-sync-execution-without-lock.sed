# kernel/ke/interrupt.c: KeAcquireInterruptSpinLock raises IRQL but takes no lock (caught by smpdpc.synchronize_execution_excludes_the_isr_on_another_processor)
s/^    KiAcquireSpinLockRaw(Interrupt->ActualLock);$/    (void)Interrupt->ActualLock;/
s/^    KiReleaseSpinLockRaw(Interrupt->ActualLock);$/    (void)Interrupt->ActualLock;/
