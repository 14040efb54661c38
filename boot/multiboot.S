/* boot/multiboot.S - Multiboot v1 header and the 32-bit entry point. Builds the boot page
 * tables (identity, direct map, higher half), enters long mode and jumps to the kernel. */
#define MB_MAGIC 0x1BADB002
/* page-align modules, want the memory map, header carries load addresses (ELF64 is not
 * loadable by QEMU's Multiboot loader otherwise) */
#define MB_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))
#define KERNEL_OFFSET 0xFFFFFFFF80000000

    .section .boot.text, "ax"
    .code32
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header
    .long __load_start_phys
    .long __load_end_phys
    .long __bss_end_phys
    .long _start32

    .globl _start32
_start32:
    cli
    cld
    mov $boot_stack_top, %esp
    mov %eax, %edi               /* Multiboot magic, kept for KiSystemStartup */
    mov %ebx, %esi               /* Multiboot info (physical) */

    /* No long mode: nothing sensible can run, so print on COM1 and halt. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* 4 page directories of 2 MiB pages map physical 0..4 GiB. */
    mov $boot_pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax               /* present, writable, 2 MiB page */
    mov %eax, (%ebx, %ecx, 8)
    mov %ecx, %eax
    shr $11, %eax
    mov %eax, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $2048, %ecx
    jne 1b

    mov $boot_pdpt_low, %ebx
    mov $boot_pd, %eax
    or $3, %eax
    xor %ecx, %ecx
2:  mov %eax, (%ebx, %ecx, 8)
    add $0x1000, %eax
    inc %ecx
    cmp $4, %ecx
    jne 2b

    mov $boot_pd, %eax           /* -2 GiB maps physical 0..1 GiB: the kernel image */
    or $3, %eax
    mov %eax, boot_pdpt_high + 510 * 8

    mov $boot_pdpt_low, %eax
    or $3, %eax
    mov %eax, boot_pml4          /* identity, dropped once the kernel runs high */
    mov %eax, boot_pml4 + 256 * 8 /* direct map of physical memory */
    mov $boot_pdpt_high, %eax
    or $3, %eax
    mov %eax, boot_pml4 + 511 * 8

    mov %cr4, %eax
    or $((1 << 5) | (1 << 7)), %eax   /* PAE, PGE */
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx        /* EFER: long mode + no-execute */
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16) | 1), %eax /* paging, write-protect, protected mode */
    mov %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_low

no_long_mode:
    mov $no_lm_msg, %esi
3:  lodsb
    test %al, %al
    jz 4f
    mov $0x3F8, %dx
    out %al, %dx
    jmp 3b
4:  hlt
    jmp 4b

    .code64
long_mode_low:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $long_mode_high, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .align 16
boot_gdt:
    .quad 0
    .quad 0x00209A0000000000     /* 64-bit code */
    .quad 0x0000920000000000     /* data */
boot_gdt_ptr:
    .word boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt
no_lm_msg:
    .asciz "IRQLab: this CPU has no long mode\r\n"

    .align 4096
boot_pml4:      .fill 512, 8, 0
boot_pdpt_low:  .fill 512, 8, 0
boot_pdpt_high: .fill 512, 8, 0
boot_pd:        .fill 2048, 8, 0
    .fill 1024, 1, 0
boot_stack_top:

    .text
    .code64
long_mode_high:
    movabs $KiBootStackTop, %rsp
    xor %ebp, %ebp
    /* edi/esi still hold the Multiboot magic and info address */
    call KiSystemStartup
5:  cli
    hlt
    jmp 5b

    .section .bss
    .align 4096
    .globl KiBootStackGuard
KiBootStackGuard:                /* left unmapped by the memory manager: overflow faults */
    .skip 4096
    .globl KiBootStack
KiBootStack:
    .skip 32768
    .globl KiBootStackTop
KiBootStackTop:
