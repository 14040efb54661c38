# file: io/file.c
# catches: fslock.two_threads_opening_an_unmounted_volume_at_once_mount_it_once_and_read_back_exact
# rule: two threads' first opens of an unmounted volume mount it once (the re-check under the mount lock)
s/NTSTATUS st = dev->Vpb->Flags & VPB_MOUNTED ? STATUS_SUCCESS : IopMountVolume(dev);/NTSTATUS st = IopMountVolume(dev);/
