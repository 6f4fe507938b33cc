-- People and organizations become records of their own, with pages, an API, a
-- version (a change made on a stale copy is refused) and an append-only log. Two
-- records of one person or organization can be merged: the one merged away is kept,
-- with `merged_into` naming the one that stands for it, so old links and its log
-- still lead somewhere.
-- Must describe the same schema as migrations/postgres/0010_contacts.sql.

ALTER TABLE organizations ADD COLUMN website TEXT;
ALTER TABLE organizations ADD COLUMN updated_at TEXT;
ALTER TABLE organizations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN merged_into BLOB REFERENCES organizations(id);
UPDATE organizations SET updated_at = created_at;

ALTER TABLE persons ADD COLUMN job_title TEXT;
ALTER TABLE persons ADD COLUMN updated_at TEXT;
ALTER TABLE persons ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE persons ADD COLUMN merged_into BLOB REFERENCES persons(id);
UPDATE persons SET updated_at = created_at;

CREATE INDEX persons_organization ON persons(organization_id);
CREATE INDEX deals_person ON deals(person_id);
CREATE INDEX deals_organization ON deals(organization_id);
CREATE INDEX leads_deal ON leads(deal_id);

-- Each person's and organization's log: exactly one of the two ids is set.
CREATE TABLE contact_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id BLOB REFERENCES persons(id),
    organization_id BLOB REFERENCES organizations(id),
    at TEXT NOT NULL,
    actor_id BLOB REFERENCES users(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    CHECK ((person_id IS NULL) <> (organization_id IS NULL))
);
CREATE INDEX contact_events_person ON contact_events(person_id, id);
CREATE INDEX contact_events_organization ON contact_events(organization_id, id);
