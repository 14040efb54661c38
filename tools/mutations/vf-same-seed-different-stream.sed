# file: kernel/vf/vfcore.c
# catches: host.vf_determinism
s/    ULONG64 z = (Rule->Rng += 0x9E3779B97F4A7C15ULL);/    ULONG64 z = (Rule->Rng += 0x9E3779B97F4A7C15ULL + __rdtsc());/
