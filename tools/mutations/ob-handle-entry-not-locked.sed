# file: io/obhandle.h
# catches: ob.a_close_waits_for_a_lookup_that_holds_the_handles_entry
# rule: a handle lookup locks its entry, so a close on another processor cannot free the object between the lookup and the reference
s/^    ULONG_PTR v = Entry->Object & ~OBP_ENTRY_LOCKED; \/\* expect it unlocked: the exchange checks \*\/$/    ULONG_PTR v = Entry->Object \& ~OBP_ENTRY_LOCKED; if (v) return v;/
