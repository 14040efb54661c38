/* sal.h - the source annotation language as the WDK spells it, as empty macros: GCC has no
 * analyzer for them, so they document and compile. <ntdef.h> includes this. */
#pragma once

/* Parameters. */
#define _In_
#define _In_opt_
#define _In_z_
#define _In_opt_z_
#define _In_reads_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_(n)
#define _In_reads_bytes_opt_(n)
#define _In_reads_z_(n)
#define _In_range_(lo, hi)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_opt_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_bytes_to_(n, c)
#define _Out_writes_bytes_to_opt_(n, c)
#define _Out_writes_z_(n)
#define _Out_writes_to_(n, c)
#define _Out_writes_all_(n)
#define _Out_range_(lo, hi)
#define _Inout_
#define _Inout_opt_
#define _Inout_z_
#define _Inout_updates_(n)
#define _Inout_updates_opt_(n)
#define _Inout_updates_bytes_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Outptr_result_buffer_(n)
#define _Outptr_result_bytebuffer_(n)
#define _Deref_out_range_(lo, hi)
#define _Reserved_
#define _Pre_notnull_
#define _Pre_maybenull_
#define _Pre_satisfies_(e)
#define _Post_satisfies_(e)
#define _Post_invalid_
#define _Post_writable_byte_size_(n)
#define _Notnull_
#define _Maybenull_
#define _Null_terminated_
#define _NullNull_terminated_
#define _Field_size_(n)
#define _Field_size_opt_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_opt_(n)
#define _Field_size_part_(n, c)
#define _Field_range_(lo, hi)
#define _Field_z_
#define _Readable_bytes_(n)
#define _Writable_bytes_(n)
#define _Printf_format_string_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Points_to_data_
#define _Interlocked_operand_
#define _Literal_

/* Results. */
#define _Check_return_
#define _Must_inspect_result_
#define _Success_(e)
#define _Return_type_success_(e)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_range_(lo, hi)
#define _Result_nullonfailure_
#define _Result_zeroonfailure_
#define _Post_maybenull_
#define _Post_notnull_
#define _Post_null_
#define _Post_z_
#define _When_(c, a)
#define _On_failure_(a)
#define _Always_(a)
#define _Analysis_assume_(e)
#define _Analysis_noreturn_
#define _Analysis_mode_(m)
#define _Use_decl_annotations_
#define _At_(t, a)
#define _At_buffer_(t, i, n, a)
#define _Group_(a)
#define _Struct_size_bytes_(n)
#define _Strict_type_match_
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_float_used_
#define _Kernel_clear_do_init_(yes)
#define _Kernel_acquires_resource_(k)
#define _Kernel_releases_resource_(k)
#define _Kernel_requires_resource_held_(k)
#define _Kernel_requires_resource_not_held_(k)

/* Driver annotations (driverspecs.h): IRQL rules, roles, locks. The IRQL ones state rules
 * that this kernel's verifier checks at run time for its own routines (kernel/vf/vf.h). */
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_min_(irql)
#define _IRQL_requires_same_
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_always_function_max_(irql)
#define _IRQL_always_function_min_(irql)
#define _IRQL_uses_cancel_
#define _IRQL_is_cancel_
#define _Dispatch_type_(t)
#define _Function_class_(c)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Acquires_exclusive_lock_(l)
#define _Releases_exclusive_lock_(l)
#define _Acquires_shared_lock_(l)
#define _Releases_shared_lock_(l)
#define _Guarded_by_(l)
#define _Interlocked_
#define _Requires_exclusive_lock_held_(l)
#define _Requires_shared_lock_held_(l)
#define _Releases_nonreentrant_lock_(l)
#define _Acquires_nonreentrant_lock_(l)
#define _No_competing_thread_
#define _Benign_race_begin_
#define _Benign_race_end_
#define _Has_lock_kind_(k)
#define _Has_lock_level_(l)
#define _Lock_level_order_(a, b)
#define _When_IRQL_(irql)
#define __drv_dispatchType(t)
#define __drv_maxIRQL(irql)
#define __drv_minIRQL(irql)
#define __drv_requiresIRQL(irql)
#define __drv_setsIRQL(irql)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_aliasesMem
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_functionClass(c)
#define __drv_when(c, a)
#define __drv_strictTypeMatch(t)
#define __drv_useCancelIRQL
#define __drv_inTry
#define __drv_mustHold(l)
#define __drv_neverHold(l)
#define _Kernel_requires_resource_held_(k)
#define _Pre_defensive_
#define _Post_defensive_
#define _In_reads_bytes_opt_(n)
#define __in
#define __out
#define __inout
#define __in_opt
#define __out_opt
#define __inout_opt
#define __in_bcount(n)
#define __out_bcount(n)
#define __in_ecount(n)
#define __out_ecount(n)
