# file: tests/demo/journey.c
# suites: host.demo_run
# rule: the demo prints the journey in the order things happened (a call where it began), not in the trace's log order
s/    return (LONG64)R->CalledAt \* 4096 + 1024 - (LONG64)(R->Sequence - R->CalledAt);/    return (LONG64)R->Sequence * 4096 + 1024;/
