-- Sign-in, access control and audit, enforced by the database (docs/security.md).
--
-- The app's login holds only outreach_reader, which from here on reads nothing of the tables
-- themselves: it reads the views of the `dashboard` schema, which show a connection only what
-- the identity it has proven allows. A connection proves one by handing auth.sign_in() an ID
-- token of the configured identity provider; the function checks the token's RS256 signature
-- against the provider's keys (auth.keys, which the ETL refreshes), its issuer, audience,
-- authorised party and times, maps its groups to a role and scope (auth.group_grants), and
-- keeps the verified session for this connection only (auth.sessions, keyed by the backend's
-- process id and start). Nothing here trusts a session setting or anything else the client
-- can set. Every sign-in, question, export and access change is appended to audit.events,
-- a hash chain that no role may update, delete or truncate.
--
-- A login that may read the tables anyway (the owner, the ETL's role, a superuser) sees
-- everything through the views: hiding rows from it would protect nothing.

CREATE SCHEMA auth;
CREATE SCHEMA audit;
CREATE SCHEMA dashboard;
REVOKE ALL ON SCHEMA auth, audit, dashboard FROM PUBLIC;

-- The identity provider this database trusts (one), set with auth.configure().
CREATE TABLE auth.settings (
    singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    -- The provider's issuer, exactly as its tokens' `iss` says it; null: no sign-in possible.
    issuer         text,
    -- The client ids whose tokens are accepted: each `aud` must be one of them, and so must
    -- `azp` when it is present. The desktop app's, and a service identity's.
    client_ids     text[]  NOT NULL DEFAULT '{}',
    -- The claim that carries the person's groups (`groups`; Entra's app roles: `roles`).
    groups_claim   text    NOT NULL DEFAULT 'groups' CHECK (groups_claim ~ '^[A-Za-z0-9_:.-]{1,100}$'),
    -- Clock skew allowed on exp, nbf and iat.
    leeway_seconds integer NOT NULL DEFAULT 60 CHECK (leeway_seconds BETWEEN 0 AND 300)
);
INSERT INTO auth.settings DEFAULT VALUES;

-- The provider's RSA signing keys (its JWKS), replaced by auth.set_keys().
CREATE TABLE auth.keys (
    kid           text    PRIMARY KEY,
    -- The modulus as an exact integer, its length in bytes, and the public exponent.
    modulus       numeric NOT NULL,
    modulus_bytes integer NOT NULL CHECK (modulus_bytes BETWEEN 256 AND 1024),
    exponent      integer NOT NULL CHECK (exponent > 1),
    added_at      timestamptz NOT NULL DEFAULT now()
);

-- Which identity-provider group gives which role over which campaigns. A null list: all.
CREATE TABLE auth.group_grants (
    group_name     text PRIMARY KEY CHECK (length(group_name) BETWEEN 1 AND 256),
    role           text NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    campaign_types text[],
    channels       text[] CHECK (channels <@ ARRAY['Email', 'SMS', 'Push']),
    granted_by     text NOT NULL,
    granted_at     timestamptz NOT NULL
);

-- The verified session of each connection that signed in.
CREATE TABLE auth.sessions (
    pid           integer     NOT NULL,
    backend_start timestamptz NOT NULL,
    subject       text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    -- The person's grants: [{"campaign_types": [...] | null, "channels": [...] | null}, ...].
    grants        jsonb       NOT NULL,
    expires_at    timestamptz NOT NULL,
    signed_in_at  timestamptz NOT NULL,
    PRIMARY KEY (pid, backend_start)
);

-- ---------------------------------------------------------------------------------------------
-- RS256, in SQL: the signature, raised to the key's exponent modulo its modulus, must equal the
-- whole PKCS #1 v1.5 block the signing input gives (RFC 8017 §8.2.2). The block is rebuilt and
-- compared as an integer; it is never parsed.

-- base64url without padding (RFC 7515 §2), strictly: null for anything else.
CREATE FUNCTION auth.base64url(text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN $1 ~ '^[A-Za-z0-9_-]*$' AND length($1) % 4 <> 1
        THEN decode(rpad(translate($1, '-_', '+/'), 4 * ((length($1) + 3) / 4), '='), 'base64')
    END
$$;

-- A big-endian unsigned integer.
CREATE FUNCTION auth.to_numeric(b bytea) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    hex   text    := encode(b, 'hex');
    len   integer := length(hex);
    head  integer := len % 12;
    i     integer := head + 1;
    value numeric := 0;
BEGIN
    -- Six bytes at a time: a bigint holds them exactly.
    IF head > 0 THEN
        value := ('x' || lpad(substr(hex, 1, head), 16, '0'))::bit(64)::bigint;
    END IF;
    WHILE i <= len LOOP
        value := value * 281474976710656 + ('x' || lpad(substr(hex, i, 12), 16, '0'))::bit(64)::bigint;
        i := i + 12;
    END LOOP;
    RETURN value;
END
$$;

CREATE FUNCTION auth.mod_pow(base numeric, exponent integer, modulus numeric) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    result numeric := 1;
BEGIN
    base := mod(base, modulus);
    WHILE exponent > 0 LOOP
        IF exponent & 1 = 1 THEN
            result := mod(result * base, modulus);
        END IF;
        exponent := exponent >> 1;
        IF exponent > 0 THEN
            base := mod(base * base, modulus);
        END IF;
    END LOOP;
    RETURN result;
END
$$;

-- Whether `signature` is an RS256 signature of `signing_input` under the key.
CREATE FUNCTION auth.rs256_valid(signing_input text, signature bytea, modulus numeric,
                                 modulus_bytes integer, exponent integer) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    -- DigestInfo of SHA-256 (RFC 8017 §9.2, note 1), then the digest.
    digest_info bytea := '\x3031300d060960864801650304020105000420'::bytea
                         || sha256(convert_to(signing_input, 'UTF8'));
    s numeric;
BEGIN
    IF octet_length(signature) <> modulus_bytes THEN
        RETURN false;
    END IF;
    s := auth.to_numeric(signature);
    IF s >= modulus THEN
        RETURN false;
    END IF;
    RETURN auth.mod_pow(s, exponent, modulus) = auth.to_numeric(
        '\x0001'::bytea
        || decode(repeat('ff', modulus_bytes - octet_length(digest_info) - 3), 'hex')
        || '\x00'::bytea
        || digest_info);
END
$$;

-- ---------------------------------------------------------------------------------------------
-- The audit trail.

CREATE TABLE audit.events (
    -- 1, 2, 3, … with no gap: each insert takes the chain's head under a row lock.
    seq         bigint      PRIMARY KEY,
    -- The client's id of the event: a replay (a queue sent twice) records once.
    event_id    uuid        NOT NULL UNIQUE,
    -- When the database recorded it, and when the client says it happened.
    recorded_at timestamptz NOT NULL,
    occurred_at timestamptz NOT NULL,
    -- The verified subject, `database:<login>` for a login that signs in with no token, or
    -- `anonymous` for a sign-in that was refused.
    actor       text        NOT NULL,
    role        text,
    kind        text        NOT NULL CHECK (kind IN ('sign_in', 'sign_in_refused', 'sign_out',
                                                     'view', 'export', 'access_change',
                                                     'settings_change')),
    detail      jsonb       NOT NULL,
    -- The canonical content hashed: the columns above as one JSON text.
    content     text        NOT NULL,
    -- sha256(prev_hash || content); the first row's prev_hash is 32 zero bytes.
    prev_hash   bytea       NOT NULL,
    hash        bytea       NOT NULL
);
CREATE INDEX events_by_time ON audit.events (recorded_at);

CREATE TABLE audit.chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    seq       bigint  NOT NULL,
    hash      bytea   NOT NULL
);
INSERT INTO audit.chain_head VALUES (true, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION audit.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'events are added with audit.record(); nothing is changed or removed';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER events_never_truncated BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER head_never_truncated BEFORE TRUNCATE OR DELETE ON audit.chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Appends one event as `actor`; the callers below decide who the actor is.
CREATE FUNCTION audit.append(p_event_id uuid, p_occurred_at timestamptz, p_actor text,
                             p_role text, p_kind text, p_detail jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
    head     audit.chain_head%ROWTYPE;
    existing bigint;
    recorded timestamptz := clock_timestamp();
    body     text;
BEGIN
    SELECT * INTO head FROM audit.chain_head FOR UPDATE;
    SELECT seq INTO existing FROM audit.events WHERE event_id = p_event_id;
    IF FOUND THEN
        RETURN existing;
    END IF;
    body := jsonb_build_object(
        'seq', head.seq + 1,
        'event_id', p_event_id,
        'recorded_at', to_char(recorded, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'occurred_at', to_char(p_occurred_at, 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'actor', p_actor,
        'role', p_role,
        'kind', p_kind,
        'detail', p_detail)::text;
    INSERT INTO audit.events
    VALUES (head.seq + 1, p_event_id, recorded, p_occurred_at, p_actor, p_role, p_kind,
            p_detail, body, head.hash, sha256(head.hash || convert_to(body, 'UTF8')));
    UPDATE audit.chain_head
    SET seq = head.seq + 1, hash = sha256(head.hash || convert_to(body, 'UTF8'));
    RETURN head.seq + 1;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Sessions.

CREATE FUNCTION auth.backend_start() RETURNS timestamptz
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
    SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()
$$;

-- What this connection may see: one row, or none (nothing). A login that may read the tables
-- themselves sees everything.
CREATE FUNCTION auth.current_scope()
RETURNS TABLE (everything boolean, role text, subject text, grants jsonb)
-- One row at most: told so, the planner joins it as one (its default guess, 1,000 rows, made
-- every read look costly enough to JIT-compile).
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF has_table_privilege(session_user, 'public.campaigns', 'SELECT') THEN
        RETURN QUERY SELECT true, 'admin'::text, 'database:' || session_user::text, '[]'::jsonb;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT s.role = 'admin', s.role, s.subject, s.grants
    FROM auth.sessions s
    WHERE s.pid = pg_backend_pid()
      AND s.backend_start = auth.backend_start()
      AND s.expires_at > clock_timestamp();
END
$$;

-- The checks of an ID token (RFC 7519, OpenID Connect Core §3.1.3.7). Returns the payload, or
-- raises with the reason (SQLSTATE 28000) — never the token itself.
CREATE FUNCTION auth.verified_claims(token text) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cfg      auth.settings%ROWTYPE;
    signing_key auth.keys%ROWTYPE;
    parts    text[];
    header   jsonb;
    payload  jsonb;
    aud      jsonb;
    now_s    numeric := extract(epoch FROM clock_timestamp());
BEGIN
    SELECT * INTO cfg FROM auth.settings;
    IF cfg.issuer IS NULL OR cardinality(cfg.client_ids) = 0 THEN
        RAISE EXCEPTION 'no identity provider is configured in this database'
            USING ERRCODE = '28000', HINT = 'an administrator runs outreach-etl access configure';
    END IF;
    IF token IS NULL OR length(token) > 16384 THEN
        RAISE EXCEPTION 'the token is missing or too long' USING ERRCODE = '28000';
    END IF;
    parts := string_to_array(token, '.');
    IF cardinality(parts) <> 3 OR parts[3] = '' THEN
        RAISE EXCEPTION 'the token is not a signed JWT (three parts)' USING ERRCODE = '28000';
    END IF;
    BEGIN
        header := convert_from(auth.base64url(parts[1]), 'UTF8')::jsonb;
        payload := convert_from(auth.base64url(parts[2]), 'UTF8')::jsonb;
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'the token is malformed (its header or payload is not base64url JSON)'
            USING ERRCODE = '28000';
    END;
    IF header IS NULL OR payload IS NULL OR jsonb_typeof(header) <> 'object'
       OR jsonb_typeof(payload) <> 'object' THEN
        RAISE EXCEPTION 'the token is malformed' USING ERRCODE = '28000';
    END IF;
    IF header->>'alg' IS DISTINCT FROM 'RS256' OR jsonb_typeof(header->'alg') <> 'string' THEN
        RAISE EXCEPTION 'the token''s algorithm is not RS256' USING ERRCODE = '28000';
    END IF;
    IF header ?| ARRAY['jku', 'x5u', 'jwk', 'x5c', 'crit'] THEN
        RAISE EXCEPTION 'the token names its own key (jku, x5u, jwk, x5c) or critical extensions'
            USING ERRCODE = '28000';
    END IF;
    SELECT * INTO signing_key FROM auth.keys WHERE kid = header->>'kid';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the token''s key id is not one of the provider''s keys'
            USING ERRCODE = '28000',
                  HINT = 'the keys are refreshed by each ETL run (outreach-etl access keys)';
    END IF;
    IF NOT coalesce(auth.rs256_valid(parts[1] || '.' || parts[2], auth.base64url(parts[3]),
                                     signing_key.modulus, signing_key.modulus_bytes, signing_key.exponent), false) THEN
        RAISE EXCEPTION 'the token''s signature is not valid' USING ERRCODE = '28000';
    END IF;
    IF payload->>'iss' IS DISTINCT FROM cfg.issuer THEN
        RAISE EXCEPTION 'the token was issued by another provider' USING ERRCODE = '28000';
    END IF;
    aud := CASE jsonb_typeof(payload->'aud')
               WHEN 'string' THEN jsonb_build_array(payload->'aud')
               WHEN 'array' THEN payload->'aud' END;
    IF aud IS NULL OR jsonb_array_length(aud) = 0
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(aud) a
                  WHERE jsonb_typeof(a) <> 'string' OR NOT (a #>> '{}') = ANY (cfg.client_ids)) THEN
        RAISE EXCEPTION 'the token''s audience is not this dashboard''s client' USING ERRCODE = '28000';
    END IF;
    IF (payload ? 'azp' AND NOT coalesce(payload->>'azp' = ANY (cfg.client_ids), false))
       OR (jsonb_array_length(aud) > 1 AND NOT payload ? 'azp') THEN
        RAISE EXCEPTION 'the token''s authorised party is not this dashboard''s client'
            USING ERRCODE = '28000';
    END IF;
    IF jsonb_typeof(payload->'exp') IS DISTINCT FROM 'number'
       OR jsonb_typeof(payload->'iat') IS DISTINCT FROM 'number'
       OR (payload ? 'nbf' AND jsonb_typeof(payload->'nbf') <> 'number') THEN
        RAISE EXCEPTION 'the token lacks its times (exp, iat)' USING ERRCODE = '28000';
    END IF;
    IF (payload->>'exp')::numeric <= now_s - cfg.leeway_seconds THEN
        RAISE EXCEPTION 'the token has expired' USING ERRCODE = '28000',
            HINT = 'the app refreshes it; sign in again if this persists';
    END IF;
    IF (payload->>'nbf')::numeric > now_s + cfg.leeway_seconds
       OR (payload->>'iat')::numeric > now_s + cfg.leeway_seconds THEN
        RAISE EXCEPTION 'the token is not valid yet (nbf or iat in the future)'
            USING ERRCODE = '28000', HINT = 'check the clocks of this computer and the provider';
    END IF;
    IF jsonb_typeof(payload->'sub') IS DISTINCT FROM 'string' OR payload->>'sub' = '' THEN
        RAISE EXCEPTION 'the token names no subject' USING ERRCODE = '28000';
    END IF;
    RETURN payload;
END
$$;

-- Signs this connection in with an ID token. The event id is the client's id of the sign-in:
-- the connections of one sign-in hand the same one and record it once. A refusal is recorded
-- and raised.
CREATE FUNCTION auth.sign_in(token text, event_id uuid)
RETURNS TABLE (subject text, role text, grants jsonb, expires_at timestamptz, refusal text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
DECLARE
    cfg     auth.settings%ROWTYPE;
    claims  jsonb;
    groups  jsonb;
    v_role  text;
    v_grants jsonb;
    v_start timestamptz := auth.backend_start();
    reason  text;
BEGIN
    SELECT * INTO cfg FROM auth.settings;
    BEGIN
        claims := auth.verified_claims(token);
    EXCEPTION WHEN sqlstate '28000' THEN
        GET STACKED DIAGNOSTICS reason = MESSAGE_TEXT;
        PERFORM audit.append(event_id, clock_timestamp(), 'anonymous', NULL, 'sign_in_refused',
                             jsonb_build_object('reason', reason));
        -- Refused, the call still succeeds, so that the caller's transaction commits the
        -- refusal's record; the reason goes back in the row.
        RETURN QUERY SELECT NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz, reason;
        RETURN;
    END;
    groups := CASE jsonb_typeof(claims->cfg.groups_claim)
                  WHEN 'array' THEN claims->cfg.groups_claim
                  WHEN 'string' THEN jsonb_build_array(claims->cfg.groups_claim)
                  ELSE '[]'::jsonb END;
    SELECT (array_agg(g.role ORDER BY CASE g.role WHEN 'admin' THEN 3 WHEN 'analyst' THEN 2 ELSE 1 END DESC))[1],
           jsonb_agg(jsonb_build_object('campaign_types', to_jsonb(g.campaign_types),
                                        'channels', to_jsonb(g.channels)) ORDER BY g.group_name)
    INTO v_role, v_grants
    FROM auth.group_grants g
    WHERE to_jsonb(g.group_name) IN (SELECT jsonb_array_elements(groups));
    IF v_role IS NULL THEN
        PERFORM audit.append(event_id, clock_timestamp(), claims->>'sub', NULL, 'sign_in_refused',
                             jsonb_build_object('reason', 'none of the person''s groups is granted access'));
        RETURN QUERY SELECT NULL::text, NULL::text, NULL::jsonb, NULL::timestamptz,
                            'none of the person''s groups is granted access'::text;
        RETURN;
    END IF;
    -- Sessions of connections that have ended.
    DELETE FROM auth.sessions s
    WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = s.pid)
       OR (s.pid = pg_backend_pid() AND s.backend_start <> v_start)
       OR s.expires_at < clock_timestamp() - interval '1 day';
    INSERT INTO auth.sessions AS s
    VALUES (pg_backend_pid(), v_start, claims->>'sub', v_role, v_grants,
            to_timestamp((claims->>'exp')::numeric), clock_timestamp())
    ON CONFLICT (pid, backend_start) DO UPDATE
    SET subject = excluded.subject, role = excluded.role, grants = excluded.grants,
        expires_at = excluded.expires_at, signed_in_at = excluded.signed_in_at;
    PERFORM audit.append(event_id, clock_timestamp(), claims->>'sub', v_role, 'sign_in',
                         jsonb_build_object('grants', v_grants,
                                            'expires_at', claims->'exp'));
    RETURN QUERY SELECT claims->>'sub', v_role, v_grants, to_timestamp((claims->>'exp')::numeric), NULL::text;
END
$$;

-- Why the last sign-in of this connection was refused is in the audit trail; the caller reads
-- it from the row sign_in() gave. This one ends the session (and records it once per event id).
CREATE FUNCTION auth.sign_out(event_id uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me record;
BEGIN
    SELECT * INTO me FROM auth.current_scope();
    DELETE FROM auth.sessions WHERE pid = pg_backend_pid() AND backend_start = auth.backend_start();
    IF me.subject IS NOT NULL THEN
        PERFORM audit.append(event_id, clock_timestamp(), me.subject, me.role, 'sign_out', '{}'::jsonb);
    END IF;
END
$$;

-- Records what this connection's person did (a view, an export). The person is the verified
-- session's, never the caller's word; with no session nothing is recorded and the call fails.
CREATE FUNCTION audit.record(event_id uuid, occurred_at timestamptz, kind text, detail jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me record;
BEGIN
    IF kind NOT IN ('view', 'export') THEN
        RAISE EXCEPTION 'a client records only views and exports, not %', kind
            USING ERRCODE = '22023';
    END IF;
    IF detail IS NULL OR jsonb_typeof(detail) <> 'object' OR octet_length(detail::text) > 65536 THEN
        RAISE EXCEPTION 'an event''s detail is a JSON object of at most 64 KB' USING ERRCODE = '22023';
    END IF;
    IF occurred_at IS NULL OR occurred_at > clock_timestamp() + interval '5 minutes' THEN
        RAISE EXCEPTION 'an event''s time is missing or in the future' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO me FROM auth.current_scope();
    IF me.subject IS NULL THEN
        RAISE EXCEPTION 'not signed in: nothing is recorded' USING ERRCODE = '28000',
            HINT = 'sign in (auth.sign_in) before recording';
    END IF;
    RETURN audit.append(event_id, occurred_at, me.subject, me.role, kind, detail);
END
$$;

-- The trail, for an admin (or a login that may read the tables): every column, from a sequence
-- number on, to verify the chain or report who did what.
CREATE FUNCTION audit.entries(from_seq bigint)
RETURNS SETOF audit.events
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM auth.current_scope() s WHERE s.role = 'admin') THEN
        RAISE EXCEPTION 'only an admin may read the audit trail' USING ERRCODE = '42501';
    END IF;
    RETURN QUERY SELECT * FROM audit.events e WHERE e.seq >= from_seq ORDER BY e.seq;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- Administration: the provider, its keys and who gets what. Executed by the owner (and, for the
-- keys, the ETL's role); each change is recorded under the database login that made it.

CREATE FUNCTION auth.configure(issuer text, client_ids text[], groups_claim text,
                               leeway_seconds integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF issuer IS NULL OR issuer !~ '^https?://' OR cardinality(client_ids) IS NULL
       OR cardinality(client_ids) = 0 THEN
        RAISE EXCEPTION 'give the issuer URL and at least one client id' USING ERRCODE = '22023';
    END IF;
    UPDATE auth.settings s
    SET issuer = configure.issuer, client_ids = configure.client_ids,
        groups_claim = coalesce(configure.groups_claim, 'groups'),
        leeway_seconds = coalesce(configure.leeway_seconds, 60);
    PERFORM audit.append(gen_random_uuid(), clock_timestamp(), 'database:' || session_user::text,
                         NULL, 'settings_change',
                         jsonb_build_object('issuer', issuer, 'client_ids', to_jsonb(client_ids),
                                            'groups_claim', coalesce(groups_claim, 'groups'),
                                            'leeway_seconds', coalesce(leeway_seconds, 60)));
END
$$;

-- Replaces the keys with the RSA signing keys of a JWKS document; returns how many.
CREATE FUNCTION auth.set_keys(jwks jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k      jsonb;
    n      bytea;
    e      bytea;
    keys_before text;
    keys_after  text;
    count  integer := 0;
BEGIN
    IF jsonb_typeof(jwks->'keys') IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'not a JWKS document (no "keys" array)' USING ERRCODE = '22023';
    END IF;
    SELECT string_agg(kid || ':' || modulus::text, ',' ORDER BY kid) INTO keys_before FROM auth.keys;
    DELETE FROM auth.keys;
    FOR k IN SELECT * FROM jsonb_array_elements(jwks->'keys') LOOP
        CONTINUE WHEN k->>'kty' IS DISTINCT FROM 'RSA'
                   OR coalesce(k->>'use', 'sig') <> 'sig'
                   OR coalesce(k->>'alg', 'RS256') <> 'RS256'
                   OR k->>'kid' IS NULL;
        n := auth.base64url(k->>'n');
        e := auth.base64url(k->>'e');
        n := substr(n, CASE WHEN get_byte(n, 0) = 0 THEN 2 ELSE 1 END);
        IF n IS NULL OR e IS NULL OR octet_length(e) > 3 OR octet_length(n) NOT BETWEEN 256 AND 1024 THEN
            RAISE EXCEPTION 'the key % is not an RSA key of 2048 to 8192 bits', k->>'kid'
                USING ERRCODE = '22023';
        END IF;
        INSERT INTO auth.keys (kid, modulus, modulus_bytes, exponent)
        VALUES (k->>'kid', auth.to_numeric(n), octet_length(n), auth.to_numeric(e)::integer)
        ON CONFLICT (kid) DO NOTHING;
        count := count + 1;
    END LOOP;
    SELECT string_agg(kid || ':' || modulus::text, ',' ORDER BY kid) INTO keys_after FROM auth.keys;
    IF keys_before IS DISTINCT FROM keys_after THEN
        PERFORM audit.append(gen_random_uuid(), clock_timestamp(), 'database:' || session_user::text,
                             NULL, 'settings_change',
                             jsonb_build_object('keys', (SELECT jsonb_agg(kid ORDER BY kid) FROM auth.keys)));
    END IF;
    RETURN count;
END
$$;

CREATE FUNCTION auth.grant_access(group_name text, role text, campaign_types text[],
                                  channels text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO auth.group_grants AS g
    VALUES (group_name, role, campaign_types, channels, session_user::text, clock_timestamp())
    ON CONFLICT ON CONSTRAINT group_grants_pkey DO UPDATE
    SET role = excluded.role, campaign_types = excluded.campaign_types,
        channels = excluded.channels, granted_by = excluded.granted_by,
        granted_at = excluded.granted_at;
    PERFORM audit.append(gen_random_uuid(), clock_timestamp(), 'database:' || session_user::text,
                         NULL, 'access_change',
                         jsonb_build_object('grant', group_name, 'role', role,
                                            'campaign_types', to_jsonb(campaign_types),
                                            'channels', to_jsonb(channels)));
END
$$;

CREATE FUNCTION auth.revoke_access(group_name text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM auth.group_grants g WHERE g.group_name = revoke_access.group_name;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM audit.append(gen_random_uuid(), clock_timestamp(), 'database:' || session_user::text,
                         NULL, 'access_change', jsonb_build_object('revoke', group_name));
    RETURN true;
END
$$;

-- ---------------------------------------------------------------------------------------------
-- What the app reads: a view per table, each showing only the connection's scope. A scoped
-- session sees no rollup that sums over every campaign, and is told the rollups are not built,
-- so that the backend answers it from the facts of its campaigns: the same numbers an admin
-- gets filtering to the same campaign types.

CREATE VIEW dashboard.campaigns WITH (security_barrier) AS
SELECT c.*
FROM public.campaigns c
CROSS JOIN auth.current_scope() s
WHERE s.everything
   OR EXISTS (SELECT 1 FROM jsonb_array_elements(s.grants) g
              WHERE (jsonb_typeof(g->'campaign_types') = 'null' OR g->'campaign_types' ? c.campaign_type)
                AND (jsonb_typeof(g->'channels') = 'null' OR g->'channels' ? c.channel));

CREATE VIEW dashboard.campaign_metrics_daily WITH (security_barrier) AS
SELECT m.* FROM public.campaign_metrics_daily m
WHERE (SELECT s.everything FROM auth.current_scope() s)
   OR m.campaign_id IN (SELECT c.campaign_id FROM dashboard.campaigns c);

CREATE VIEW dashboard.member_interactions WITH (security_barrier) AS
SELECT i.* FROM public.member_interactions i
WHERE (SELECT s.everything FROM auth.current_scope() s)
   OR i.campaign_id IN (SELECT c.campaign_id FROM dashboard.campaigns c);

CREATE VIEW dashboard.campaign_reach_sketches WITH (security_barrier) AS
SELECT r.* FROM public.campaign_reach_sketches r
WHERE (SELECT s.everything FROM auth.current_scope() s)
   OR r.campaign_id IN (SELECT c.campaign_id FROM dashboard.campaigns c);

CREATE VIEW dashboard.campaign_reach_rollups WITH (security_barrier) AS
SELECT r.* FROM public.campaign_reach_rollups r
WHERE (SELECT s.everything FROM auth.current_scope() s)
   OR r.campaign_id IN (SELECT c.campaign_id FROM dashboard.campaigns c);

CREATE VIEW dashboard.channel_metrics_daily WITH (security_barrier) AS
SELECT r.* FROM public.channel_metrics_daily r
WHERE (SELECT s.everything FROM auth.current_scope() s);

CREATE VIEW dashboard.segment_metrics_daily WITH (security_barrier) AS
SELECT r.* FROM public.segment_metrics_daily r
WHERE (SELECT s.everything FROM auth.current_scope() s);

CREATE VIEW dashboard.reach_rollups WITH (security_barrier) AS
SELECT r.* FROM public.reach_rollups r
WHERE (SELECT s.everything FROM auth.current_scope() s);

CREATE VIEW dashboard.dashboard_settings WITH (security_barrier) AS
SELECT d.singleton, d.reporting_time_zone, d.rollups_ready AND s.everything AS rollups_ready
FROM public.dashboard_settings d
CROSS JOIN auth.current_scope() s;

CREATE VIEW dashboard.member_segments WITH (security_barrier) AS
SELECT m.* FROM public.member_segments m
WHERE EXISTS (SELECT 1 FROM auth.current_scope());

CREATE VIEW dashboard.etl_runs WITH (security_barrier) AS
SELECT r.* FROM public.etl_runs r
WHERE EXISTS (SELECT 1 FROM auth.current_scope());

CREATE VIEW dashboard._sqlx_migrations WITH (security_barrier) AS
SELECT m.version, m.description, m.installed_on, m.success FROM public._sqlx_migrations m
WHERE EXISTS (SELECT 1 FROM auth.current_scope());

-- ---------------------------------------------------------------------------------------------
-- Privileges. Functions are executable by PUBLIC unless revoked.

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA auth, audit FROM PUBLIC;
REVOKE SELECT ON
    dashboard_settings, campaigns, campaign_metrics_daily, member_segments, member_interactions,
    campaign_reach_sketches, campaign_reach_rollups, channel_metrics_daily,
    segment_metrics_daily, reach_rollups, etl_runs, _sqlx_migrations
    FROM outreach_reader;
GRANT USAGE ON SCHEMA dashboard, auth, audit TO outreach_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA dashboard TO outreach_reader;
GRANT EXECUTE ON FUNCTION
    auth.current_scope(), auth.sign_in(text, uuid), auth.sign_out(uuid),
    audit.record(uuid, timestamptz, text, jsonb), audit.entries(bigint)
    TO outreach_reader;
GRANT USAGE ON SCHEMA dashboard, auth TO outreach_etl;
GRANT SELECT ON ALL TABLES IN SCHEMA dashboard TO outreach_etl;
GRANT EXECUTE ON FUNCTION auth.current_scope(), auth.set_keys(jsonb) TO outreach_etl;
REVOKE ALL ON audit.events, audit.chain_head FROM PUBLIC;
