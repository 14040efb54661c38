# Verifier no longer requires APCs off around a resource.
# file: kernel/ex/resrule.c
# suites: resource
s/if (irql < APC_LEVEL \&\& t->KernelApcDisable == 0 \&\& t->SpecialApcDisable == 0)/if (0)/
