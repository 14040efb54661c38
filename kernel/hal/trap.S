/* hal/trap.S - the 256 interrupt entry stubs and the common path that builds a KTRAP_FRAME.
 * Each stub is 16 bytes so the IDT can be filled by arithmetic. */
    .text
    .code64

/* Exceptions for which the CPU pushes an error code itself. */
.macro STUB n
    .align 16
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp KiTrapCommon
.endm

    .align 16
    .globl KiTrapStubs
KiTrapStubs:
    .altmacro
    .set i, 0
    .rept 256
    STUB %i
    .set i, i + 1
    .endr

    .globl KiTrapCommon
KiTrapCommon:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    mov %rsp, %rdi
    /* Link the frame into the rbp chain so backtraces walk through the interrupt. */
    mov 17*8(%rsp), %rax         /* interrupted rip */
    pushq %rax
    pushq %rbp
    mov %rsp, %rbp
    call KiTrapDispatch
    add $16, %rsp
    .globl KiTrapExit
KiTrapExit:
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    add $16, %rsp
    iretq
