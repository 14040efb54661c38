# A new shared owner is let in although an exclusive waiter waits.
# file: kernel/ex/resource.c
# suites: resource
s/if (!e \&\& (Kind == ExpStarveExclusive || !R->NumberOfExclusiveWaiters))/if (!e)/
