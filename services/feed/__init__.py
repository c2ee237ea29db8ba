"""The employer referral feed: a store fed from the referral topic, a pull API, webhooks.

    consumer.py           REFERRALS + CLIENTS tombstones -> store (offsets in the same transaction)
    store.py, tables.py   SQLAlchemy Core: SQLite (default) or PostgreSQL through one code path
    api.py                FastAPI: /v1/referrals, /v1/webhooks, outcomes
    webhooks_dispatch.py  Standard Webhooks deliveries with retries
    cli.py                `jobmatch feed ...`

Everything an employer receives goes through ``privacy.py``'s allow-list.
"""
