# file: tools/irpjourney.py
# suites: host.demo_run
# rule: the IRP journey picture marks a completion routine that saw PendingReturned
s/, PendingReturned" if r.get("pending") else "")/" if r.get("pending") else "")/
