/* startio.h - the StartIo sample's interface: each read is one "transfer" on a device that
 * takes one request at a time; reads complete in order with a sequence number. */
#pragma once
#define STARTIO_DEVICE_NAME L"\\Device\\StartIoSample"
#define STARTIO_DOS_NAME L"\\DosDevices\\StartIoSample"
#define STARTIO_TRANSFER_TIME (-10 * 1000 * 2) /* 2 ms, relative, 100-ns units */
