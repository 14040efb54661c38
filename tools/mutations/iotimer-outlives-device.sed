# file: io/device.c
# suites: iotimer
# rule: IoDeleteDevice stops the device's IoTimer and frees it
/    IopDeleteDeviceTimer(DeviceObject);/d
