# Verifier stops checking the PendingReturned rule (0xC9/0x228): the completion lab's
# no_mark_pending variant and the verifier_hunt skeleton's read path then pass.
# file: io/complete.c
# catches: host.labs_graders
s/if (verify && pending && Irp->CurrentLocation <= Irp->StackCount &&/if (0 \&\& verify \&\& pending \&\& Irp->CurrentLocation <= Irp->StackCount \&\&/
