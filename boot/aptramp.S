/* boot/aptramp.S - the application processors' real-mode start: a SIPI starts each one at
 * KI_AP_TRAMPOLINE in real mode; this page takes it through protected mode into long mode. */
/* The kernel copies this code to KI_AP_TRAMPOLINE (a page below 1 MiB, never given to the
 * frame allocator) and fills in the parameter block at its end before each SIPI. */
#define KI_AP_TRAMPOLINE 0x70000
#define REL(x) ((x) - KiApTrampoline)
#define ABS(x) ((x) - KiApTrampoline + KI_AP_TRAMPOLINE)

    .section .rodata
    .code16
    .globl KiApTrampoline
KiApTrampoline:
    cli
    cld
    movw %cs, %ax                /* CS = 0x7000: address the page through DS */
    movw %ax, %ds
    lgdtl REL(ap_gdt_ptr)
    movl %cr0, %eax
    orl $1, %eax
    movl %eax, %cr0
    ljmpl $0x08, $ABS(ap_protected)

    .code32
ap_protected:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    movl %cr4, %eax
    orl $((1 << 5) | (1 << 7)), %eax /* PAE, PGE, as the boot processor has them */
    movl %eax, %cr4
    movl ABS(ap_cr3), %eax       /* the kernel's tables plus an identity map of this page */
    movl %eax, %cr3
    movl $0xC0000080, %ecx       /* EFER: long mode + no-execute */
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16)), %eax /* paging, write-protect */
    movl %eax, %cr0
    ljmpl $0x18, $ABS(ap_long)

    .code64
ap_long:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movq ABS(ap_stack), %rsp
    movq ABS(ap_argument), %rdi
    movq ABS(ap_entry), %rax
    xorl %ebp, %ebp
    pushq $0                     /* a zero return address ends backtraces here */
    jmp *%rax

    .align 8
ap_gdt:
    .quad 0
    .quad 0x00CF9A000000FFFF     /* 0x08 32-bit code */
    .quad 0x00CF92000000FFFF     /* 0x10 data */
    .quad 0x00209A0000000000     /* 0x18 64-bit code */
ap_gdt_ptr:
    .word ap_gdt_ptr - ap_gdt - 1
    .long ABS(ap_gdt)

    .align 8
    .globl KiApTrampolineParameters
KiApTrampolineParameters:        /* KI_AP_PARAMETERS in mpinit.c */
ap_cr3:      .quad 0
ap_stack:    .quad 0
ap_entry:    .quad 0
ap_argument: .quad 0
    .globl KiApTrampolineEnd
KiApTrampolineEnd:
