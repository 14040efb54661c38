/* ke/switch.S - the context switch: push the callee-saved registers and flags on the old
 * thread's stack, swap stack pointers, pop the new thread's. Called at DISPATCH_LEVEL. */
    .text
    .code64

/* VOID KiSwapContext(ULONG64 *OldRsp (rdi), ULONG64 NewRsp (rsi)) */
    .globl KiSwapContext
KiSwapContext:
    pushfq
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cli                         /* no interrupt frame on a half-switched stack */
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    popfq                       /* the new thread's own interrupt flag */
    ret

/* A new thread's first return lands here with its KTHREAD in rbx; a zero return address
 * and rbp end every backtrace at the thread's start. */
    .globl KiThreadStartupThunk
KiThreadStartupThunk:
    movq %rbx, %rdi
    xorl %ebp, %ebp
    pushq $0
    jmp KiThreadStartup
