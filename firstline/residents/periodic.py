"""Resident messages that have left the machine are deleted within five minutes;
outbox copies after ``services.OUTBOX_KEEP_DAYS`` days."""

JOBS = [(300, "firstline.residents.tasks.purge_resident_messages")]
