"""The tables of Aphrodite v2's schema that the bot checks, counts and reports on."""

APHRODITE_TABLES = (
    "system_config",
    "badge_configs",
    "media_items",
    "processing_jobs",
    "schedules",
    "schedule_executions",
    "batch_jobs",
    "poster_processing_status",
    "media_activities",
    "badge_applications",
)
