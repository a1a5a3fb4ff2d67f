# Unconfirmed sign-ons are purged SIGNATURE_PURGE_DAYS after they were made;
# checking hourly keeps the actual retention within an hour of the promise.
JOBS = [
    (3600, "firstline.campaigns.tasks.purge_signatures"),
]
