# file: drivers/fltmgr/fltdispatch.c
# suites: fltmgr
# rule: a pre callback that asks for a post callback it never registered is bug check 0xF5 / 0x66
s/if (!f->Post\[major\])$/if (0)/
