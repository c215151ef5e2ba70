"""Tasks: to-dos, calls, emails and follow-ups with reminders, on the records they concern."""
