# mk/fuzz.mk - coverage-guided fuzzing of the FAT on-disk engine on the host (tools/fuzz):
#   make fuzz [FUZZTIME=60] [FUZZJOBS=1]   libFuzzer + AddressSanitizer + UBSan, Debian's clang
# New crashes land in $(B)/fuzz/crash-*; fix the engine and keep the input in tools/fuzz/regress/.
FUZZTIME ?= 60
FUZZJOBS ?= 1
FUZZ_ENGINE := $(filter-out drivers/fat/fsd%,$(wildcard drivers/fat/fat*.c)) kernel/rtl/unicode.c
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -fshort-wchar -fno-strict-aliasing -Wno-multichar -Iinclude

.PHONY: fuzz fuzz-build fuzz-regress
$(B)/fuzz/fat_fuzz: tools/fuzz/fat_fuzz.c $(FUZZ_ENGINE) drivers/fat/fatp.h drivers/fat/fatengine.h
	@tools/need.sh clang clang
	@mkdir -p $(B)/fuzz
	clang $(FUZZ_FLAGS) -o $@ tools/fuzz/fat_fuzz.c $(FUZZ_ENGINE)

fuzz-build: $(B)/fuzz/fat_fuzz

$(B)/fuzz/seeds/.done: tools/fuzz/seeds.sh $(wildcard tools/fuzz/regress/*)
	@tools/need.sh mkfs.fat dosfstools
	@tools/need.sh mcopy mtools
	tools/fuzz/seeds.sh $(B)/fuzz/seeds && touch $@

fuzz: $(B)/fuzz/fat_fuzz $(B)/fuzz/seeds/.done
	@mkdir -p $(B)/fuzz/corpus
	cd $(B)/fuzz && ./fat_fuzz -max_total_time=$(FUZZTIME) -jobs=$(FUZZJOBS) -workers=$(FUZZJOBS) \
	  -max_len=1048576 -rss_limit_mb=4096 -print_final_stats=1 corpus seeds

# Every kept finding's image, once: none may crash the engine again.
fuzz-regress: $(B)/fuzz/fat_fuzz $(B)/fuzz/seeds/.done
	$(B)/fuzz/fat_fuzz -runs=0 $(B)/fuzz/seeds
