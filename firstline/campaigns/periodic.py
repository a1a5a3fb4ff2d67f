# Unconfirmed sign-ons are purged SIGNATURE_PURGE_DAYS after they were made;
# checking hourly keeps the actual retention within an hour of the promise.
# Ended rate-limit windows and spent challenges (one row per sign-on) go hourly too.
# The sign-on intake is normally drained within seconds of each sign-on (web
# processes enqueue the task); the minute job is the backstop.
JOBS = [
    (60, "firstline.campaigns.tasks.process_signon_intake"),
    (3600, "firstline.campaigns.tasks.purge_signatures"),
    (3600, "firstline.campaigns.tasks.purge_abuse_counters"),
]
