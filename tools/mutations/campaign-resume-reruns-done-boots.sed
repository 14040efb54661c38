# file: tools/campaign.py
# suites: host.vf_campaign_runner
# rule: a resumed campaign runs only the boots its rows.jsonl does not hold
s/return old, \[j for j in jobs if j in planned\],/return old, list(jobs),/
