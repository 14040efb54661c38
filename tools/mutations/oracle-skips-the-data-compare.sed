# file: tests/experiment/oracle.c
# catches: host.vf_campaign_runner
s/if (!NT_SUCCESS(s) || done != f->Size || !RtlEqualMemory(back, f->Data, f->Size))/if (!NT_SUCCESS(s) || done != f->Size)/
