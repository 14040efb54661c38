/* ntddk.h - what a driver includes: the WDM types and every public kernel interface.
 * Components add their public header here as they land. */
#pragma once
#include <ntdef.h>
#include <ntstatus.h>
#include <wdm/rtl.h>
#include <wdm/ke.h>
#include <wdm/kemp.h>
#include <wdm/ex.h>
#include <wdm/mm.h>
#include <wdm/kedisp.h>
#include <wdm/kesync.h>
#include <wdm/exres.h>
#include <wdm/exlist.h>
#include <wdm/io.h>
#include <wdm/seh.h>
#include <wdm/ioqueue.h>
