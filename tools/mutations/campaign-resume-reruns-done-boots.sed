# file: tools/campaign.py
# suites: host.vf_campaign_runner
# rule: a resumed campaign runs only the boots its rows.jsonl does not hold
s/jobs = \[j for j in jobs if j not in done\]/jobs = list(jobs)/
