//! A person's record changed part by part: the form shows only the fields the editor may
//! change (the same predicate as the server's, `access::may_change`), checks them with the
//! shared rules and sends only what changed.

use b2mms_shared::access::{Editor, RecordPart, may_change};
use b2mms_shared::api::{Member, MemberPatch};
use b2mms_shared::rules::{
    ContactEmail, DEFAULT_PERSONAL_MAIL_DOMAINS, Orcid, PersonName, RuleViolation,
    author_inspire_id, required_text,
};
use b2mms_shared::{Category, MembershipStatus};
use yew::prelude::*;

use crate::api::{self, ApiError};
use crate::forms::{Choice, ErrorSummary, Field, Problems, day};
use crate::labels;

/// The fields as typed.
#[derive(Debug, Clone, Default, PartialEq)]
struct Fields {
    given_name: String,
    middle_name: String,
    family_name: String,
    paper_name: String,
    inspire_id: String,
    orcid: String,
    email: String,
    category: String,
    status: String,
    membership_end: String,
}

impl Fields {
    fn of(m: &Member) -> Self {
        Self {
            given_name: m.given_name.clone(),
            middle_name: m.middle_name.clone().unwrap_or_default(),
            family_name: m.family_name.clone(),
            paper_name: m.paper_name.clone().unwrap_or_default(),
            inspire_id: m.inspire_id.clone().unwrap_or_default(),
            orcid: m.orcid.clone().unwrap_or_default(),
            email: m.email.clone(),
            category: m.category.as_str().to_owned(),
            status: m.status.as_str().to_owned(),
            membership_end: m.membership_end.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}

/// A text that may be left empty: `None` when unchanged, `Some(None)` when cleared.
fn optional_change(before: &str, after: &str) -> Option<Option<String>> {
    let after = after.trim();
    (before.trim() != after).then(|| Some(after.to_owned()).filter(|a| !a.is_empty()))
}

fn changed(before: &str, after: &str) -> Option<String> {
    (before.trim() != after.trim()).then(|| after.trim().to_owned())
}

/// The patch of what the editor changed, and the problems that stop it.
fn patch(before: &Fields, f: &Fields, editor: Editor) -> (MemberPatch, Problems) {
    let mut p = Problems::default();
    let mut check = |field: &str, result: Result<(), RuleViolation>| {
        if let Err(v) = result {
            p.add(&format!("rec_{field}"), &[v.message]);
        }
    };
    let may = |part| may_change(editor, part);
    let mut out = MemberPatch::default();
    if may(RecordPart::NamesAndAddress) {
        out.given_name = changed(&before.given_name, &f.given_name);
        out.family_name = changed(&before.family_name, &f.family_name);
        out.email = changed(&before.email, &f.email);
        check("given_name", PersonName::parse(&f.given_name).map(drop));
        check("family_name", PersonName::parse(&f.family_name).map(drop));
        check(
            "email",
            ContactEmail::parse_institutional(
                &f.email,
                DEFAULT_PERSONAL_MAIL_DOMAINS.iter().copied(),
            )
            .map(drop),
        );
    }
    if may(RecordPart::PersonalDetails) {
        out.middle_name = optional_change(&before.middle_name, &f.middle_name);
        out.orcid = optional_change(&before.orcid, &f.orcid);
        if !f.middle_name.trim().is_empty() {
            check("middle_name", PersonName::parse(&f.middle_name).map(drop));
        }
        if !f.orcid.trim().is_empty() {
            check("orcid", Orcid::parse(&f.orcid).map(drop));
        }
    }
    if may(RecordPart::PaperName) {
        out.paper_name = optional_change(&before.paper_name, &f.paper_name);
        if !f.paper_name.trim().is_empty() {
            check(
                "paper_name",
                required_text(&f.paper_name, 100, "name in papers").map(drop),
            );
        }
        out.inspire_id = optional_change(&before.inspire_id, &f.inspire_id);
        if !f.inspire_id.trim().is_empty() {
            check("inspire_id", author_inspire_id(&f.inspire_id).map(drop));
        }
    }
    if may(RecordPart::Membership) {
        out.category = Category::parse(&f.category).filter(|_| f.category != before.category);
        out.status = MembershipStatus::parse(&f.status).filter(|_| f.status != before.status);
        if f.membership_end != before.membership_end {
            match day(&f.membership_end) {
                Some(d) => out.membership_end = Some(Some(d)),
                None if f.membership_end.trim().is_empty() => out.membership_end = Some(None),
                None => p.add("rec_membership_end", &["Enter a date.".to_owned()]),
            }
        }
    }
    (out, p)
}

#[derive(Properties, PartialEq)]
pub struct RecordEditorProps {
    pub member: Member,
    pub editor: Editor,
    pub token: AttrValue,
    /// The record as saved.
    pub saved: Callback<Member>,
}

/// The form; nothing when the editor may change nothing.
#[function_component(RecordEditor)]
pub fn record_editor(props: &RecordEditorProps) -> Html {
    let before = Fields::of(&props.member);
    let fields = {
        let before = before.clone();
        use_state(move || before)
    };
    {
        // Another record, or the same one saved: the form starts from it again.
        let (fields, before) = (fields.clone(), before.clone());
        use_effect_with(props.member.clone(), move |_| fields.set(before));
    }
    let attempt = use_state(|| 0u32);
    let busy = use_state(|| false);
    let notice = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let rules = use_state(|| None::<b2mms_shared::api::MembershipRules>);
    {
        let rules = rules.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(r) = api::membership_rules().await {
                    rules.set(Some(r));
                }
            });
        });
    }
    let editor = props.editor;
    let may = |part| may_change(editor, part);
    if ![
        RecordPart::Membership,
        RecordPart::PaperName,
        RecordPart::PersonalDetails,
        RecordPart::NamesAndAddress,
    ]
    .into_iter()
    .any(may)
    {
        return html! {};
    }
    let (changes, mut problems) = patch(&before, &fields, editor);
    // What a new end means, said before it is saved.
    let end_hint = match (&changes.membership_end, &*rules) {
        (Some(Some(end)), Some(r)) => Some(format!(
            "Once saved, the membership ends on {end}: the member and the representatives are reminded before, and the account closes on {}.",
            r.account_closes(*end, chrono::Utc::now().date_naive())
        )),
        (Some(None), _) => Some("Once saved, the membership has no end.".to_owned()),
        _ => None,
    };
    // What the server refused, next to its field.
    if let Some(e) = &*error {
        for (field, violations) in &e.errors {
            let messages: Vec<String> = violations.iter().map(|v| v.message.clone()).collect();
            problems.add(&format!("rec_{field}"), &messages);
        }
    }
    let onsubmit = {
        let (attempt, busy, notice, error, token, id, saved) = (
            attempt.clone(),
            busy.clone(),
            notice.clone(),
            error.clone(),
            props.token.clone(),
            props.member.id.to_string(),
            props.saved.clone(),
        );
        let (refused, changes) = (!problems.is_empty() && error.is_none(), changes.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            attempt.set(*attempt + 1);
            if refused || *busy {
                return;
            }
            if changes == MemberPatch::default() {
                notice.set(Some("Nothing was changed.".into()));
                return;
            }
            let (attempt, busy, notice, error, token, id, saved, changes) = (
                attempt.clone(),
                busy.clone(),
                notice.clone(),
                error.clone(),
                token.clone(),
                id.clone(),
                saved.clone(),
                changes.clone(),
            );
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let result = api::update_member(&token, &id, &changes).await;
                busy.set(false);
                match result {
                    Ok(member) => {
                        attempt.set(0);
                        notice.set(Some("Your changes are saved.".into()));
                        saved.emit(member);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let shown = |field: &str| {
        if *attempt > 0 {
            problems.of(field)
        } else {
            Vec::new()
        }
    };
    let set = |apply: fn(&mut Fields, String)| {
        let (fields, error, notice) = (fields.clone(), error.clone(), notice.clone());
        Callback::from(move |v: String| {
            let mut f = (*fields).clone();
            apply(&mut f, v);
            fields.set(f);
            error.set(None);
            notice.set(None);
        })
    };
    let general = error
        .as_ref()
        .filter(|e| e.errors.is_empty())
        .map(|e| e.detail.clone());
    html! {
        <form class="record-editor" {onsubmit} novalidate=true data-testid="record-editor">
            <ErrorSummary problems={problems.clone()} attempt={*attempt} />
            if let Some(text) = &*notice {
                <p class="notice" role="status" data-testid="record-saved">{ text.clone() }</p>
            }
            if let Some(text) = general {
                <p class="error" role="alert">{ text }</p>
            }
            if may(RecordPart::NamesAndAddress) {
                <Field id="rec_given_name" label="Given name" value={fields.given_name.clone()} errors={shown("rec_given_name")} oninput={set(|f, v| f.given_name = v)} />
                <Field id="rec_family_name" label="Family name" value={fields.family_name.clone()} errors={shown("rec_family_name")} oninput={set(|f, v| f.family_name = v)} />
                <Field id="rec_email" label="Contact email" kind="email" value={fields.email.clone()} errors={shown("rec_email")} oninput={set(|f, v| f.email = v)} />
            }
            if may(RecordPart::PersonalDetails) {
                <Field id="rec_middle_name" label="Middle name (optional)" value={fields.middle_name.clone()} errors={shown("rec_middle_name")} oninput={set(|f, v| f.middle_name = v)} />
                <Field id="rec_orcid" label="ORCID iD (optional)" value={fields.orcid.clone()} errors={shown("rec_orcid")} oninput={set(|f, v| f.orcid = v)}
                    hint={Some(AttrValue::Static("For example 0000-0002-1825-0097."))} />
            }
            if may(RecordPart::PaperName) {
                <Field id="rec_paper_name" label="Name in papers (optional)" value={fields.paper_name.clone()} errors={shown("rec_paper_name")} oninput={set(|f, v| f.paper_name = v)}
                    hint={Some(AttrValue::Static("As printed in author lists, e.g. T. Iijima."))} />
                <Field id="rec_inspire_id" label="INSPIRE author id (optional)" value={fields.inspire_id.clone()} errors={shown("rec_inspire_id")} oninput={set(|f, v| f.inspire_id = v)}
                    hint={Some(AttrValue::Static("For example INSPIRE-00012345."))} />
            }
            if may(RecordPart::Membership) {
                <Choice id="rec_category" label="Category" value={fields.category.clone()}
                    options={Category::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())).collect::<Vec<_>>()}
                    errors={shown("rec_category")}
                    onchange={set(|f, v| f.category = v)} />
                <Choice id="rec_status" label="Membership" value={fields.status.clone()}
                    options={MembershipStatus::ALL.iter().map(|s| (s.as_str().to_owned(), labels::membership(*s).to_owned())).collect::<Vec<_>>()}
                    errors={shown("rec_status")}
                    onchange={set(|f, v| f.status = v)} />
                <Field id="rec_membership_end" label="Membership ends (optional)" kind="date" value={fields.membership_end.clone()} errors={shown("rec_membership_end")} oninput={set(|f, v| f.membership_end = v)}
                    hint={end_hint.map(AttrValue::from)} />
            }
            <button type="submit" disabled={*busy} aria-busy={busy.to_string()}>{ if *busy { "Saving…" } else { "Save changes" } }</button>
        </form>
    }
}
