-- The W3C traceparent of the request that enqueued a turn (tracing on; NULL otherwise), so a
-- turn claimed later from the queue, by any replica, continues that request's trace (ADR 0026).
-- A nullable column without a default: a catalog change, no table rewrite.
ALTER TABLE turns ADD COLUMN trace_parent text;
