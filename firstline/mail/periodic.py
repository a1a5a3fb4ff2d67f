JOBS = [
    (60, "firstline.mail.tasks.retry_due_emails"),
    # Sensitive rows (a signer's address and confirmation link) leave the outbox
    # once their links have expired (docs/privacy.md).
    (3600, "firstline.mail.tasks.purge_sensitive_emails"),
]
