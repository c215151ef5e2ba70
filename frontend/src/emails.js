// Emails: behaviour for the emails pages.
