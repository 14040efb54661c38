# A lookaside list gives every block back to the pool.
# file: kernel/ex/lookaside.c
# suites: lookaside
s/if (ExQueryDepthSList(&L->ListHead) >= L->Depth) {/if (1) {/
