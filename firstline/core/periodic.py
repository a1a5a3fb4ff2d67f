# Finished task results pile up (each periodic job adds one per run): daily prune.
# Ended rate-limit windows and spent challenges (a row per public submission): hourly.
JOBS = [
    (86400, "firstline.core.tasks.prune_task_results"),
    (3600, "firstline.core.tasks.purge_abuse_counters"),
]
