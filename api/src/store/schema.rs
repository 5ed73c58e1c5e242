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
        paper_name -> Nullable<Text>,
        address -> Nullable<Text>,
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
        grace_from -> Nullable<Date>,
        paper_name -> Nullable<Text>,
        search_key -> Text,
        inspire_id -> Nullable<Text>,
    }
}

diesel::table! {
    affiliations (id) {
        id -> Text,
        person_id -> Text,
        institution_id -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        kind -> Text,
        category -> Nullable<Text>,
        end_reason -> Nullable<Text>,
        end_note -> Nullable<Text>,
    }
}

diesel::table! {
    transfers (id) {
        id -> Text,
        person_id -> Text,
        from_institution_id -> Text,
        to_institution_id -> Text,
        effective_date -> Date,
        category -> Nullable<Text>,
        state -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    membership_reminders (person_id, end_date, days_before) {
        person_id -> Text,
        end_date -> Date,
        days_before -> Integer,
        sent_at -> Timestamp,
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
        claimed_by -> Nullable<Text>,
    }
}

diesel::joinable!(persons -> institutions (institution_id));
diesel::joinable!(accounts -> persons (person_id));
diesel::joinable!(password_setups -> persons (person_id));
diesel::joinable!(affiliations -> persons (person_id));
diesel::joinable!(affiliations -> institutions (institution_id));
diesel::joinable!(institution_representatives -> institutions (institution_id));
diesel::joinable!(institution_representatives -> persons (person_id));
diesel::joinable!(sessions -> persons (person_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));

diesel::table! {
    invitations (id) {
        id -> Text,
        institution_id -> Text,
        email -> Text,
        category -> Nullable<Text>,
        given_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        username -> Text,
        password_hash -> Text,
        status -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    registrations (id) {
        id -> Text,
        state -> Text,
        identity -> Text,
        invitation_id -> Nullable<Text>,
        certificate_dn -> Nullable<Text>,
        institution_id -> Nullable<Text>,
        email -> Nullable<Text>,
        given_name -> Nullable<Text>,
        middle_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        account_name -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        category -> Nullable<Text>,
        orcid -> Nullable<Text>,
        existing_account -> Nullable<Text>,
        comment -> Nullable<Text>,
        link_person_id -> Nullable<Text>,
        person_id -> Nullable<Text>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        decided_at -> Nullable<Timestamp>,
        ir_reminded_at -> Nullable<Timestamp>,
        admins_reminded_at -> Nullable<Timestamp>,
        provision_attempts -> Integer,
        provision_next_at -> Nullable<Timestamp>,
        provision_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
    }
}

diesel::table! {
    account_names (name) {
        name -> Text,
        person_id -> Nullable<Text>,
        registration_id -> Nullable<Text>,
        reserved_at -> Timestamp,
    }
}

diesel::table! {
    person_certificates (subject_dn) {
        subject_dn -> Text,
        person_id -> Text,
        linked_at -> Timestamp,
    }
}

diesel::table! {
    collab_groups (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        join_policy -> Text,
    }
}

diesel::table! {
    group_managers (group_id, person_id) {
        group_id -> Text,
        person_id -> Text,
        since -> Timestamp,
    }
}

diesel::table! {
    group_applications (id) {
        id -> Text,
        group_id -> Text,
        person_id -> Text,
        state -> Text,
        reason -> Text,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Text>,
    }
}

diesel::table! {
    group_members (group_id, person_id) {
        group_id -> Text,
        person_id -> Text,
        since -> Date,
        until -> Nullable<Date>,
    }
}

diesel::table! {
    email_changes (token_hash) {
        token_hash -> Text,
        person_id -> Text,
        new_email -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (token_hash) {
        token_hash -> Text,
        person_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_setups (person_id) {
        person_id -> Text,
        created_at -> Timestamp,
        mailed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_history (id) {
        id -> Text,
        person_id -> Text,
        password_hash -> Text,
        set_at -> Timestamp,
    }
}

diesel::table! {
    password_reminders (person_id, expires_at, days_before) {
        person_id -> Text,
        expires_at -> Timestamp,
        days_before -> Integer,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    service_tokens (id) {
        id -> Text,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    author_policy (id) {
        id -> Integer,
        categories -> Text,
        qualification_months -> Integer,
        months_after_end -> Integer,
        updated_at -> Timestamp,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    author_exceptions (id) {
        id -> Text,
        person_id -> Text,
        kind -> Text,
        reason -> Text,
        from_date -> Date,
        until_date -> Nullable<Date>,
        decided_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    author_lists (id) {
        id -> Text,
        title -> Text,
        reference -> Nullable<Text>,
        list_date -> Date,
        state -> Text,
        snapshot -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        frozen_by -> Nullable<Text>,
        frozen_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    author_list_sign_offs (list_id, institution_id) {
        list_id -> Text,
        institution_id -> Text,
        person_id -> Text,
        signed_at -> Timestamp,
    }
}

diesel::table! {
    mailing_lists (id) {
        id -> Text,
        name -> Text,
        address -> Text,
        description -> Text,
        audience -> Text,
        extra_addresses -> Text,
        excluded_addresses -> Text,
        subscribe_with -> Text,
        send_welcome -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        synced_at -> Nullable<Timestamp>,
        sync_error -> Nullable<Text>,
        sync_failures -> Integer,
        next_sync_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    elections (id) {
        id -> Text,
        title -> Text,
        description -> Text,
        options -> Text,
        max_choices -> Integer,
        electorate -> Text,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        quorum -> Nullable<Double>,
        state -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        reminded -> Bool,
    }
}

diesel::table! {
    election_electors (election_id, elector_id) {
        election_id -> Text,
        elector_id -> Text,
        name -> Text,
        weight -> BigInt,
        voted -> Bool,
    }
}

diesel::table! {
    election_tallies (election_id, option_index) {
        election_id -> Text,
        option_index -> Integer,
        votes -> BigInt,
    }
}

diesel::table! {
    election_receipts (election_id, receipt_hash) {
        election_id -> Text,
        receipt_hash -> Text,
    }
}

diesel::joinable!(invitations -> institutions (institution_id));
diesel::joinable!(author_list_sign_offs -> author_lists (list_id));
diesel::joinable!(group_members -> collab_groups (group_id));
diesel::joinable!(group_managers -> collab_groups (group_id));
diesel::joinable!(group_applications -> collab_groups (group_id));
diesel::joinable!(person_certificates -> persons (person_id));

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
    email_changes,
    mail_outbox,
    invitations,
    registrations,
    account_names,
    person_certificates,
    collab_groups,
    group_members,
    password_resets,
    password_setups,
    password_history,
    password_reminders,
    service_tokens,
    transfers,
    membership_reminders,
    group_managers,
    group_applications,
    author_policy,
    author_exceptions,
    author_lists,
    author_list_sign_offs,
    mailing_lists,
    elections,
    election_electors,
    election_tallies,
    election_receipts,
);
