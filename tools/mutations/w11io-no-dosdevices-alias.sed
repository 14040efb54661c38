# \DosDevices not treated as \??: caught by symlink.open_through_dos_devices_and_question_mark_names_reaches_the_device
# file: io/symlink.c
# catches: symlink
s/{ L"\\\\DosDevices", L"\\\\GLOBAL??", L"\\\\Global??" }/{ L"\\\\NoSuchAlias", L"\\\\GLOBAL??", L"\\\\Global??" }/
