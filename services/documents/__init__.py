"""Documents of every kind (draft, directive, issued): intake, the job pipeline, visibility, reports."""
