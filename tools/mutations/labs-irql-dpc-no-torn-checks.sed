# The irql_dpc grader checks only the window below Generation (no Tail comparison, no "sample
# newer than Generation"): before the ring wraps the unlocked_copy variant then goes unseen.
# file: labs/irql_dpc/grader/irql_dpc_grader.c
# catches: host.labs_graders
/if (s->Tail != s->Generation)/,+1d
/for (ULONG i = 0; i < LAB_SAMPLES; i++)/,+2d
