# fault=cancel forgets its major= filter: the cancel-safe-queue test's rule (major=read,times=1)
# then spends its one fault elsewhere or on the wrong request.
# file: kernel/vf/vfcore.c
# suites: vf
# catches: vf
# rule: a cancel rule cancels only requests of its major function
s/if ((Site == VfSitePending || Site == VfSiteCancel) \&\& Rule->Major/if (Site == VfSitePending \&\& Rule->Major/
