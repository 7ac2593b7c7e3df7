"""Business counters of the hiring funnel, counted once the change is committed (by the route or job that
committed it), so a refused or rolled-back request never counts."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

INVITATIONS_SENT = Counter("interviews_invitations_sent_total", "Invitations created (sent to a candidate)")
INTERVIEWS_COMPLETED = Counter(
    "interviews_completed_total", "Interviews completed, by reason (manual, early_finish, auto_timeout)", ["reason"]
)
# From the candidate finishing to HR's decision: hours to weeks, so the buckets span minutes to a month.
TIME_TO_DECISION = Histogram(
    "interviews_time_to_decision_seconds",
    "Time from an interview's completion to HR's approval or rejection",
    ["decision"],
    buckets=(300, 1800, 3600, 4 * 3600, 12 * 3600, 86400, 3 * 86400, 7 * 86400, 14 * 86400, 30 * 86400),
)
