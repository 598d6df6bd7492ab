"""The review of drafts: submit, approve or return, issue, withdraw; the queue and the audit log."""
