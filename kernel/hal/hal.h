/* hal/hal.h - the hardware abstraction layer's interface to the kernel: console devices,
 * descriptor tables, local and I/O APIC, PIT, and the vector layout that encodes IRQL. */
#pragma once
#include <ntddk.h>

/* Vector = IRQL * 16 + n: the APIC's priority class is the IRQL. */
#define APC_VECTOR 0x1F
#define DISPATCH_VECTOR 0x2F
#define CLOCK_VECTOR 0xD1
#define IPI_VECTOR 0xE1
#define SPURIOUS_VECTOR 0xFF
#define VECTOR_TO_IRQL(v) ((KIRQL)((v) >> 4))

/* Console. */
VOID HalSerialInitialize(void);
VOID HalSerialPutChar(CHAR c);
VOID HalTraceChannelWrite(PCSTR Text, SIZE_T Length); /* debugcon port 0x402, to the host */
VOID HalVgaInitialize(void);
VOID HalVgaPutChar(CHAR c);
VOID HalVgaReadRow(ULONG Row, PCHAR Buffer, ULONG Length);
ULONG HalVgaCurrentRow(void);
VOID HalDisplayString(PCSTR s, SIZE_T n);

/* Descriptor tables. */
#define HAL_MAX_PROCESSORS 8
VOID HalInitializeGdt(ULONG Processor); /* each processor its own GDT, TSS and IST stacks */
VOID HalInitializeIdt(void);
VOID HalLoadIdt(void);                  /* application processors share the boot one's IDT */

/* Local APIC. */
VOID HalInitializeLocalApic(void);
VOID HalEndOfInterrupt(void);
ULONG HalGetLocalApicId(void);
VOID HalRequestSoftwareInterrupt(KIRQL Irql);
VOID HalSendSelfIpi(ULONG Vector);
VOID HalSendIpi(ULONG ApicId, ULONG Vector);
VOID HalSendNmi(ULONG ApicId);
VOID HalStartProcessor(ULONG ApicId, ULONG64 StartPhysical); /* INIT-SIPI-SIPI */
BOOLEAN HalIsInterruptPending(ULONG Vector);   /* reads the IRR */
BOOLEAN HalIsInterruptInService(ULONG Vector); /* reads the ISR */
ULONG HalReadApicRegister(ULONG Offset);
VOID HalStartClock(ULONG Hz);

/* Calibration from the PIT, done once at boot. */
VOID HalCalibrateTimers(void);
extern ULONG64 HalTscPerSecond;
extern ULONG64 HalApicTimerPerSecond;

/* CMOS real-time clock; any IRQL. FALSE if it cannot be read or holds no valid date. */
BOOLEAN HalQueryRealTimeClock(PTIME_FIELDS TimeFields);

/* ACPI MADT and I/O APIC. */
VOID HalInitializeAcpi(void);
extern ULONG64 HalIoApicPhysical;
extern ULONG HalIoApicGsiBase;
extern ULONG HalProcessorCount;                        /* enabled processors in the MADT */
extern UCHAR HalProcessorApicId[HAL_MAX_PROCESSORS];   /* their local APIC IDs, MADT order */
ULONG HalIsaIrqToGsi(ULONG IsaIrq, PULONG Flags);
VOID HalInitializeIoApic(void);
VOID HalEnableSystemInterrupt(ULONG Gsi, ULONG Vector, BOOLEAN LevelTriggered, BOOLEAN ActiveLow);
VOID HalDisableSystemInterrupt(ULONG Gsi);
VOID HalSetInterruptDestination(ULONG Gsi, ULONG ApicId); /* after HalEnableSystemInterrupt */
VOID HalMaskLegacyPic(void);

/* PIT channel 0 as a one-shot device interrupt source. */
VOID HalPitStartOneShot(ULONG Microseconds);
VOID HalPitStop(void);
/* The redirection table as raw 64-bit entries: the test framework saves and puts it back
 * around every test, so a test that fails with a line routed leaves nothing behind. */
ULONG HalIoApicPinCount(void);
ULONG64 HalReadRedirection(ULONG Pin);
VOID HalWriteRedirection(ULONG Pin, ULONG64 Entry);

/* Physical memory through the direct map the boot code built. */
#define HAL_DIRECT_MAP_BASE 0xFFFF800000000000ULL
#define HalPhysicalToVirtual(p) ((PVOID)((ULONG64)(p) + HAL_DIRECT_MAP_BASE))
#define KERNEL_OFFSET 0xFFFFFFFF80000000ULL

/* Power off QEMU through isa-debug-exit; falls back to halting on real hardware. */
DECLSPEC_NORETURN VOID HalExitEmulator(ULONG Code);
#define HAL_EXIT_SUCCESS 0x10 /* QEMU exit status 33 */
#define HAL_EXIT_FAILURE 0x11 /* 35 */
#define HAL_EXIT_BUGCHECK 0x12 /* 37 */
#define HAL_EXIT_DEADLINE 0x13 /* 39: deadline=S passed (ke/deadline.c) */
