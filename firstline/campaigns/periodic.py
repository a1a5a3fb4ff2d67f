# Unconfirmed sign-ons are purged SIGNATURE_PURGE_DAYS after they were made;
# checking hourly keeps the actual retention within an hour of the promise.
# Ended rate-limit windows and spent challenges (one row per sign-on) go hourly too.
JOBS = [
    (3600, "firstline.campaigns.tasks.purge_signatures"),
    (3600, "firstline.campaigns.tasks.purge_abuse_counters"),
]
