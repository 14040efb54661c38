# The lazy writer scans but never writes a view back.
# file: kernel/cc/cclazy.c
# catches: cache
s/        if (!v->Dirty || Now - v->DirtySince < CcpLazyDelay)/        if (Now || !Now)/
