//! Diesel table definitions; the same for SQLite and PostgreSQL (see `migrations/`).

diesel::table! {
    institutions (id) {
        id -> Text,
        name -> Text,
        short_name -> Text,
        city -> Text,
        country -> Text,
        ror_id -> Nullable<Text>,
        inspire_id -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        given_name -> Text,
        middle_name -> Nullable<Text>,
        family_name -> Text,
        email -> Text,
        registry_email -> Nullable<Text>,
        orcid -> Nullable<Text>,
        category -> Text,
        institution_id -> Text,
        status -> Text,
        membership_start -> Nullable<Date>,
        membership_end -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    affiliations (id) {
        id -> Text,
        person_id -> Text,
        institution_id -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
    }
}

diesel::table! {
    accounts (person_id) {
        person_id -> Text,
        account_name -> Text,
        password_hash -> Text,
        password_set_at -> Timestamp,
        password_expires_at -> Timestamp,
        must_change_password -> Bool,
        status -> Text,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    person_roles (person_id, role) {
        person_id -> Text,
        role -> Text,
        granted_at -> Timestamp,
        granted_by -> Nullable<Text>,
    }
}

diesel::table! {
    institution_representatives (institution_id, person_id) {
        institution_id -> Text,
        person_id -> Text,
        since -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        person_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        algorithm -> Text,
        private_key -> Text,
        public_key -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor -> Text,
        action -> Text,
        subject_type -> Text,
        subject_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Text,
        created_at -> Timestamp,
        to_address -> Text,
        subject -> Text,
        body_text -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(persons -> institutions (institution_id));
diesel::joinable!(accounts -> persons (person_id));
diesel::joinable!(affiliations -> persons (person_id));
diesel::joinable!(institution_representatives -> institutions (institution_id));
diesel::joinable!(institution_representatives -> persons (person_id));
diesel::joinable!(sessions -> persons (person_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    institutions,
    persons,
    affiliations,
    accounts,
    person_roles,
    institution_representatives,
    sessions,
    refresh_tokens,
    signing_keys,
    audit_events,
    mail_outbox,
);
