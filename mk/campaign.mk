# mk/campaign.mk - fault-injection campaigns (tools/campaign.py, docs/fault-injection.md):
#   make campaign RUNS=N [FAULT=spec] [JOBS=J] [MODE=nth] [OPS=n] [SSHLOGIN=..|SSHLOGINFILE=..]
#                                             [RESUME=1: go on with the interrupted one in build/campaign]
#   make replay SEED=S OPTS=spec [OPS=n]      one boot again, keeping build/replay/{serial.log,disk.img}
#   make bench-campaign [RUNS=n]              the campaign-throughput row of make bench (every class)
#   make fuzz [FUZZTIME=60]                   libFuzzer + ASan/UBSan over the FAT engine (tests/fuzz)
# Campaign boots are one processor under -icount, so a seed replays exactly (see Makefile's SMP).
campaign replay bench-campaign: QSMP = 1
CAMPAIGN_QEMU = $(QEMU) $(QEMU_FLAGS) -accel tcg $(ICOUNT)
RUNS ?=
FAULT ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
MODE ?= random
OPS ?= 60
SEED ?= 1
OPTS ?=
SSHLOGIN ?=
SSHLOGINFILE ?=
RESUME ?=

.PHONY: campaign replay
campaign: tools $(B)/kernel.bin
	@tools/need.sh gnuplot gnuplot-nox
	@$(if $(SSHLOGIN)$(SSHLOGINFILE),tools/need.sh parallel parallel)
	$(PYTHON) tools/campaign.py run --kernel $(B)/kernel.bin --qemu "$(CAMPAIGN_QEMU)" --runs "$(or $(RUNS),0)" \
	  --fault "$(FAULT)" --jobs $(JOBS) --mode $(MODE) --ops $(OPS) --seed $(SEED) \
	  $(if $(SSHLOGIN),--sshlogin "$(SSHLOGIN)") $(if $(SSHLOGINFILE),--sshloginfile "$(SSHLOGINFILE)") \
	  $(if $(RESUME),--resume)

replay: tools $(B)/kernel.bin
	$(PYTHON) tools/campaign.py replay --kernel $(B)/kernel.bin --qemu "$(CAMPAIGN_QEMU)" --seed $(SEED) \
	  --fault "$(OPTS)" --ops $(OPS)

# make bench ends with the campaign's throughput: every class twice (RUNS to change), JOBS at once.
.PHONY: bench-campaign
bench: bench-campaign
bench-campaign: tools $(B)/kernel.bin
	@tools/need.sh gnuplot gnuplot-nox
	@$(PYTHON) tools/campaign.py bench --kernel $(B)/kernel.bin --qemu "$(CAMPAIGN_QEMU)" --runs "$(or $(RUNS),0)" \
	  --jobs $(JOBS) --ops $(OPS) --seed $(SEED) --out $(B)/campaign-bench 2>/dev/null | tail -1
