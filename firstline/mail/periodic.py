JOBS = [(60, "firstline.mail.tasks.retry_due_emails")]
