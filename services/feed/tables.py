"""The feed's tables, in SQLAlchemy Core: the same definitions for SQLite and PostgreSQL.

Times are epoch seconds (floats) so both engines compare them the same way; the referral's own
``created_at`` is kept as the RFC 3339 text it arrived with. No table holds a ``client_id``:
the store keeps only keyed hashes of it (``client_key`` to find a client's rows on erasure,
``client_ref`` the employer-scoped pseudonym), see ``pseudonym.py``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "api_keys",
    "consumer_offsets",
    "deliveries",
    "delivery_attempts",
    "erasures",
    "feed_events",
    "feed_secrets",
    "metadata",
    "referral_state",
    "webhook_endpoints",
]

metadata = MetaData()
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
_Seq = BigInteger().with_variant(Integer(), "sqlite")

api_keys = Table(
    "feed_api_keys", metadata,
    Column("key_id", String(32), primary_key=True),  # public half of the key, for lookup
    Column("employer_id", String(64), nullable=False, index=True),
    Column("secret_hash", String(64), nullable=False),  # SHA-256 hex of the secret half
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float, nullable=True),
)

# One row per referral or withdrawal an employer can see. `sequence` orders the feed; the
# source position (partition, offset) makes the cursor survive a rebuild and fences a second
# consumer writing the same record twice.
feed_events = Table(
    "feed_events", metadata,
    Column("sequence", _Seq, primary_key=True, autoincrement=True),
    Column("event_id", String(40), nullable=False, unique=True),
    Column("employer_id", String(64), nullable=False),
    Column("referral_id", String(40), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("client_key", String(64), nullable=False, index=True),
    Column("src_partition", Integer, nullable=False),
    Column("src_offset", BigInteger, nullable=False),
    Column("payload", Text, nullable=False),  # the allow-listed projection, JSON
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("src_partition", "src_offset", name="uq_feed_events_source"),
    Index("ix_feed_events_employer_seq", "employer_id", "sequence"),
    Index("ix_feed_events_employer_ref", "employer_id", "referral_id"),
    sqlite_autoincrement=True,  # never reuse the sequence of an erased last row
)

# The state machine that makes the consumer idempotent: a referral event for an active
# referral, or a withdrawal of one that is not active, adds nothing.
referral_state = Table(
    "feed_referral_state", metadata,
    Column("referral_id", String(40), primary_key=True),
    Column("employer_id", String(64), nullable=False),
    Column("client_key", String(64), nullable=False, index=True),
    Column("state", String(16), nullable=False),  # active | withdrawn
)

# Erasure markers, one per erased client: its keyed hash and the erasure's time, nothing else
# about it. Any referral or withdrawal of that client made (``created_at``) at or before
# ``erased_at`` is dropped, whenever it is read: late on the referral topic, or by a rebuild
# (the referral topic is kept forever). So markers are kept as long as the topic is.
erasures = Table(
    "feed_erasures", metadata,
    Column("client_key", String(64), primary_key=True),
    # JSON {partition: next offset} of REFERRALS when the tombstone was applied; for
    # operators only (erasures are decided by time).
    Column("through", Text, nullable=False),
    # The tombstone's Kafka timestamp (epoch s, capped at the time it was read); rows from
    # before this rule hold the time the tombstone was read, a little later: safe.
    Column("erased_at", Float, nullable=False),
)

webhook_endpoints = Table(
    "feed_webhook_endpoints", metadata,
    Column("endpoint_id", String(40), primary_key=True),
    Column("employer_id", String(64), nullable=False, index=True),
    Column("url", String(2048), nullable=False),
    Column("secret", String(128), nullable=False),  # needed in clear to sign
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(500), nullable=True),
    Column("created_at", Float, nullable=False),
)

deliveries = Table(
    "feed_deliveries", metadata,
    Column("delivery_id", _Seq, primary_key=True, autoincrement=True),
    Column("endpoint_id", String(40),
           ForeignKey("feed_webhook_endpoints.endpoint_id", ondelete="CASCADE"), nullable=False),
    Column("event_id", String(40), nullable=False),  # also the webhook-id: same on every retry
    Column("status", String(16), nullable=False),  # pending|succeeded|failed|cancelled|disabled
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_status", Integer, nullable=True),
    Column("last_error", String(500), nullable=True),
    Column("created_at", Float, nullable=False),
    Column("completed_at", Float, nullable=True),
    UniqueConstraint("endpoint_id", "event_id", name="uq_deliveries_endpoint_event"),
    Index("ix_deliveries_due", "status", "next_attempt_at"),
    sqlite_autoincrement=True,
)

delivery_attempts = Table(
    "feed_delivery_attempts", metadata,
    Column("attempt_id", _Seq, primary_key=True, autoincrement=True),
    Column("delivery_id", BigInteger,
           ForeignKey("feed_deliveries.delivery_id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("attempt", Integer, nullable=False),
    Column("attempted_at", Float, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", String(500), nullable=True),
    Column("duration_ms", Float, nullable=False),
    sqlite_autoincrement=True,
)

# The consumer's position, written in the same transaction as the rows it produced.
consumer_offsets = Table(
    "feed_consumer_offsets", metadata,
    Column("topic", String(249), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
)

feed_secrets = Table(
    "feed_secrets", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(256), nullable=False),
)
