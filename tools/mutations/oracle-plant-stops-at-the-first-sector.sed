# file: tests/experiment/oracle.c
# catches: host.vf_campaign_runner
# rule: the planted corruption searches the whole disk for the file's first sector (the old bug: it gave up after sector 0)
s|^    for (LONGLONG off = 0; off < len.Length.QuadPart; off += 512) {$|    for (LONGLONG off = 0; off < len.Length.QuadPart \&\& off < 512; off += 512) {|
