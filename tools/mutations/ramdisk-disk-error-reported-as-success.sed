# file: drivers/ramdisk/rdio.c
# catches: vf.disk_read_error_reaches_the_zw_caller_with_its_status
s/        return fault.Status;/        return STATUS_SUCCESS;/
