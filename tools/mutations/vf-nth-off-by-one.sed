# file: kernel/vf/vfcore.c
# catches: vf.pool_rule_fails_exactly_the_nth_allocation_of_its_tag
s/hit = n == r->Nth;/hit = n == r->Nth + 1;/
