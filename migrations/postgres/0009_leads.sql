-- Leads: people who may buy, captured on a phone, by a web form or through the API,
-- waiting in the inbox to be qualified into a deal or discarded. Every step is kept in
-- `lead_events` (append-only), so a lead can be followed from capture to sale and
-- statistics can report per lead source. The reasons a lead is discarded come from a
-- list admins keep, as lost reasons do.
-- Must describe the same schema as migrations/sqlite/0009_leads.sql.

-- Web forms on a company's own website post leads here (`/f/{key}`). The key is
-- public (it sits in the website's HTML); revoking the form stops it.
CREATE TABLE lead_forms (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    redirect_url TEXT,
    key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE leads (
    id UUID PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- The name and phone as duplicates are looked for (domain::duplicate).
    name_key TEXT NOT NULL,
    phone_key TEXT,
    company TEXT,
    job_title TEXT,
    website TEXT,
    email TEXT,
    phone TEXT,
    value BIGINT CHECK (value >= 0),
    currency TEXT,
    note TEXT,
    source TEXT,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_term TEXT,
    utm_content TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'qualified', 'discarded')),
    discard_reason TEXT,
    deal_id UUID REFERENCES deals(id),
    owner_id UUID REFERENCES users(id),
    captured_by UUID REFERENCES users(id),
    form_id UUID REFERENCES lead_forms(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX leads_inbox ON leads(status, created_at);
CREATE INDEX leads_email ON leads(email);
CREATE INDEX leads_phone_key ON leads(phone_key);
CREATE INDEX leads_name_key ON leads(name_key);

CREATE TABLE lead_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lead_id UUID NOT NULL REFERENCES leads(id),
    at TIMESTAMPTZ NOT NULL,
    actor_id UUID REFERENCES users(id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, id);

CREATE TABLE discard_reasons (
    label TEXT PRIMARY KEY NOT NULL,
    position BIGINT NOT NULL
);
INSERT INTO discard_reasons (label, position) VALUES
    ('Not a fit', 0), ('No budget', 1), ('No response', 2), ('Duplicate', 3), ('Spam', 4);

CREATE INDEX persons_email ON persons(email);
