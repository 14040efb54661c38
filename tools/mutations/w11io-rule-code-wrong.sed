# IrqlIoApcLte with IrqlIoPassive1's code: caught by ddi.every_rule_carries_the_code_its_page_documents
# file: kernel/vf/vf.h
# catches: ddi
s/X(IrqlIoApcLte, 0x00020009,/X(IrqlIoApcLte, 0x0002000A,/
