JOBS = [(3600, "firstline.opendata.tasks.downloads_refresh_task")]
