# file: tools/campaign.py
# suites: host.vf_campaign_runner
# rule: a campaign resumes only on the kernel it began with
s/if meta.get("kernel_sha256") != kernel_digest(args.kernel):/if False:/
