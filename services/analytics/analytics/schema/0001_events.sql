-- Every domain event once per event id: ReplacingMergeTree drops redeliveries when parts merge, and every
-- query reads it with FINAL (or through idempotent aggregates), so counts are exact before merges too.
-- The key columns are pulled out of the payload for filtering; the payload keeps the rest as JSON text.
CREATE TABLE IF NOT EXISTS events
(
    event_id UUID,
    type LowCardinality(String),
    occurred_at DateTime('UTC'),
    company_id String,
    template_id String,
    invitation_id String,
    candidate_id String,
    payload String,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (type, event_id);

-- One row per invitation with the time it reached each funnel step. Duplicated events only repeat a min,
-- max or any of the same values, which are idempotent, so the view needs no deduplication of its own;
-- readers group by invitation_id, which is exact before background merges.
CREATE TABLE IF NOT EXISTS invitation_facts
(
    invitation_id String,
    company_id SimpleAggregateFunction(max, String),
    template_id SimpleAggregateFunction(max, String),
    template_title SimpleAggregateFunction(max, String),
    candidate_id SimpleAggregateFunction(max, String),
    invited_at SimpleAggregateFunction(min, Nullable(DateTime('UTC'))),
    opened_at SimpleAggregateFunction(min, Nullable(DateTime('UTC'))),
    started_at SimpleAggregateFunction(min, Nullable(DateTime('UTC'))),
    completed_at SimpleAggregateFunction(min, Nullable(DateTime('UTC'))),
    analysed_at SimpleAggregateFunction(min, Nullable(DateTime('UTC'))),
    decided_at SimpleAggregateFunction(min, Nullable(DateTime('UTC'))),
    decision SimpleAggregateFunction(max, String),
    reviewer_id SimpleAggregateFunction(max, String),
    recommendation SimpleAggregateFunction(max, String),
    overall_score SimpleAggregateFunction(max, Nullable(Int32))
)
ENGINE = AggregatingMergeTree
ORDER BY invitation_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS invitation_facts_mv TO invitation_facts AS
SELECT
    invitation_id,
    company_id,
    template_id,
    JSONExtractString(payload, 'templateTitle') AS template_title,
    candidate_id,
    if(type = 'invitation.created', occurred_at, NULL) AS invited_at,
    if(type = 'invitation.opened', occurred_at, NULL) AS opened_at,
    if(type = 'invitation.started', occurred_at, NULL) AS started_at,
    if(type = 'invitation.completed', occurred_at, NULL) AS completed_at,
    if(type = 'analysis.completed', occurred_at, NULL) AS analysed_at,
    if(type IN ('candidate.approved', 'candidate.rejected'), occurred_at, NULL) AS decided_at,
    multiIf(type = 'candidate.approved', 'approved', type = 'candidate.rejected', 'rejected', '') AS decision,
    if(type IN ('candidate.approved', 'candidate.rejected'), JSONExtractString(payload, 'hrUserId'), '') AS reviewer_id,
    if(type = 'analysis.completed', JSONExtractString(payload, 'recommendation'), '') AS recommendation,
    if(type = 'analysis.completed', toNullable(JSONExtractInt(payload, 'overallScore')), NULL) AS overall_score
FROM events
WHERE invitation_id != '';
