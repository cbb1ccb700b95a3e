"""Who may use the admin: sign-in sessions, two-factor codes, the team, and the audit log."""
