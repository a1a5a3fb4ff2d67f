# Finished task results pile up (each periodic job adds one per run): daily prune.
JOBS = [(86400, "firstline.core.tasks.prune_task_results")]
