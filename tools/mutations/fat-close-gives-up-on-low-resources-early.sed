# file: drivers/fat/fsdcreate.c
# catches: fsfault.cached_growth_outlasts_low_resources_at_close
# rule: the last close keeps trying a dirty entry's write while disk requests cannot be allocated (seeds 6933, 7103)
s/for (ULONG tries = 0; tries < 12 \&\& others < 3; tries++)/for (ULONG tries = 0; tries < 3 \&\& others < 3; tries++)/
