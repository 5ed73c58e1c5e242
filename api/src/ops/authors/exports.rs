//! An author list in the formats journals, arXiv and INSPIRE take: `authors.xml` (the
//! INSPIRE collaboration author-list format of `author.dtd`), `authors.tex` (REVTeX 4.2
//! `\author` and `\affiliation` blocks), `authors.txt` (the byline as printed) and
//! `authors.csv`.

use b2mms_shared::AffiliationKind;
use b2mms_shared::api::{AuthorListContent, AuthorListSummary};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use crate::error::{AppError, AppResult};

/// The formats a list is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Tex,
    Text,
    Csv,
}

impl Format {
    /// The format of a file name under `/author-lists/{id}/`.
    pub fn of_file(name: &str) -> Option<Self> {
        match name {
            "authors.xml" => Some(Self::Xml),
            "authors.tex" => Some(Self::Tex),
            "authors.txt" => Some(Self::Text),
            "authors.csv" => Some(Self::Csv),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xml => "application/xml; charset=utf-8",
            Self::Tex => "application/x-tex; charset=utf-8",
            Self::Text => "text/plain; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The list in `format`.
pub fn render(
    format: Format,
    collaboration: &str,
    summary: &AuthorListSummary,
    content: &AuthorListContent,
) -> AppResult<Vec<u8>> {
    match format {
        Format::Xml => xml(collaboration, summary, content)
            .map_err(|e| AppError::Internal(format!("writing authors.xml: {e}"))),
        Format::Tex => Ok(tex(collaboration, summary, content).into_bytes()),
        Format::Text => Ok(text(collaboration, content).into_bytes()),
        Format::Csv => csv(content),
    }
}

fn organization_id(number: u32) -> String {
    format!("o{number}")
}

/// `authors.xml`, valid against INSPIRE's `author.dtd`.
fn xml(
    collaboration: &str,
    summary: &AuthorListSummary,
    content: &AuthorListContent,
) -> std::io::Result<Vec<u8>> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::DocType(BytesText::from_escaped(
        "collaborationauthorlist SYSTEM \"author.dtd\"",
    )))?;
    let reference = summary.reference.clone().unwrap_or_default();
    w.create_element("collaborationauthorlist")
        .with_attribute(("xmlns:foaf", "http://xmlns.com/foaf/0.1/"))
        .with_attribute((
            "xmlns:cal",
            "http://inspirehep.net/info/HepNames/tools/authors_xml/",
        ))
        .write_inner_content(|w| {
            w.create_element("cal:creationDate")
                .write_text_content(BytesText::new(&summary.date.to_string()))?;
            w.create_element("cal:publicationReference")
                .write_text_content(BytesText::new(&reference))?;
            w.create_element("cal:collaborations")
                .write_inner_content(|w| {
                    w.create_element("cal:collaboration")
                        .with_attribute(("id", "c1"))
                        .write_inner_content(|w| {
                            w.create_element("foaf:name")
                                .write_text_content(BytesText::new(collaboration))?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
            w.create_element("cal:organizations")
                .write_inner_content(|w| {
                    for institution in &content.institutions {
                        w.create_element("foaf:Organization")
                            .with_attribute(("id", organization_id(institution.number).as_str()))
                            .write_inner_content(|w| {
                                w.create_element("foaf:name")
                                    .write_text_content(BytesText::new(&institution.paper_name))?;
                                w.create_element("cal:orgName")
                                    .with_attribute(("source", "INTERNAL"))
                                    .write_text_content(BytesText::new(&institution.short_name))?;
                                if let Some(ror) = &institution.ror_id {
                                    w.create_element("cal:orgName")
                                        .with_attribute(("source", "ROR"))
                                        .write_text_content(BytesText::new(&format!(
                                            "https://ror.org/{ror}"
                                        )))?;
                                }
                                if let Some(inspire) = &institution.inspire_id {
                                    w.create_element("cal:orgName")
                                        .with_attribute(("source", "INSPIRE"))
                                        .write_text_content(BytesText::new(inspire))?;
                                }
                                w.create_element("cal:orgStatus")
                                    .with_attribute(("collaborationid", "c1"))
                                    .write_text_content(BytesText::new("member"))?;
                                w.create_element("cal:orgAddress")
                                    .write_text_content(BytesText::new(&institution.printed()))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            w.create_element("cal:authors").write_inner_content(|w| {
                for author in &content.authors {
                    w.create_element("foaf:Person").write_inner_content(|w| {
                        w.create_element("foaf:givenName")
                            .write_text_content(BytesText::new(&author.given_name))?;
                        w.create_element("foaf:familyName")
                            .write_text_content(BytesText::new(&author.family_name))?;
                        w.create_element("cal:authorNamePaper")
                            .write_text_content(BytesText::new(&author.paper_name))?;
                        w.create_element("cal:authorCollaboration")
                            .with_attribute(("collaborationid", "c1"))
                            .write_empty()?;
                        w.create_element("cal:authorAffiliations")
                            .write_inner_content(|w| {
                                for affiliation in &author.affiliations {
                                    let connection = match affiliation.kind {
                                        AffiliationKind::Primary => "Affiliated with",
                                        AffiliationKind::Secondary => "Also at",
                                    };
                                    w.create_element("cal:authorAffiliation")
                                        .with_attribute((
                                            "organizationid",
                                            organization_id(affiliation.number).as_str(),
                                        ))
                                        .with_attribute(("connection", connection))
                                        .write_empty()?;
                                }
                                Ok(())
                            })?;
                        let ids: Vec<(&str, &str)> = [
                            ("ORCID", author.orcid.as_deref()),
                            ("INSPIRE", author.inspire_id.as_deref()),
                        ]
                        .into_iter()
                        .filter_map(|(source, id)| id.map(|id| (source, id)))
                        .collect();
                        if !ids.is_empty() {
                            w.create_element("cal:authorids").write_inner_content(|w| {
                                for (source, id) in ids {
                                    w.create_element("cal:authorid")
                                        .with_attribute(("source", source))
                                        .write_text_content(BytesText::new(id))?;
                                }
                                Ok(())
                            })?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// Text made safe for LaTeX: its special characters escaped, accented Latin letters written
/// as accent commands (so the file compiles whatever the input encoding), other text kept.
pub fn tex_escape(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let special = match c {
            '\\' => Some("\\textbackslash{}"),
            '{' => Some("\\{"),
            '}' => Some("\\}"),
            '$' => Some("\\$"),
            '&' => Some("\\&"),
            '#' => Some("\\#"),
            '%' => Some("\\%"),
            '_' => Some("\\_"),
            '^' => Some("\\textasciicircum{}"),
            '~' => Some("\\textasciitilde{}"),
            'ł' => Some("{\\l}"),
            'Ł' => Some("{\\L}"),
            'ø' => Some("{\\o}"),
            'Ø' => Some("{\\O}"),
            'ß' => Some("{\\ss}"),
            'æ' => Some("{\\ae}"),
            'Æ' => Some("{\\AE}"),
            'œ' => Some("{\\oe}"),
            'Œ' => Some("{\\OE}"),
            'ı' => Some("{\\i}"),
            'đ' => Some("{\\dj}"),
            'Đ' => Some("{\\DJ}"),
            _ => None,
        };
        if let Some(escaped) = special {
            out.push_str(escaped);
            continue;
        }
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let mut parts = std::iter::once(c).nfd();
        let base = parts.next().unwrap_or(c);
        let marks: Vec<char> = parts.collect();
        let accents: Option<Vec<&str>> = marks
            .iter()
            .map(|mark| match mark {
                '\u{300}' => Some("\\`"),
                '\u{301}' => Some("\\'"),
                '\u{302}' => Some("\\^"),
                '\u{303}' => Some("\\~"),
                '\u{304}' => Some("\\="),
                '\u{306}' => Some("\\u"),
                '\u{307}' => Some("\\."),
                '\u{308}' => Some("\\\""),
                '\u{30A}' => Some("\\r"),
                '\u{30B}' => Some("\\H"),
                '\u{30C}' => Some("\\v"),
                '\u{327}' => Some("\\c"),
                '\u{328}' => Some("\\k"),
                _ => None,
            })
            .collect();
        match accents {
            Some(accents) if base.is_ascii_alphabetic() && !accents.is_empty() => {
                let mut letter = match base {
                    'i' => "{\\i}".to_owned(),
                    other => other.to_string(),
                };
                for accent in accents {
                    letter = format!("{accent}{{{letter}}}");
                }
                out.push('{');
                out.push_str(&letter);
                out.push('}');
            }
            _ => out.push(c),
        }
    }
    out
}

/// `authors.tex`: for each author `\author{…}`, then their `\affiliation{…}` lines, primary
/// first; REVTeX groups equal affiliations itself.
fn tex(collaboration: &str, summary: &AuthorListSummary, content: &AuthorListContent) -> String {
    let mut out = format!(
        "% {} author list: {}{}, as of {}\n% {} authors, {} institutions.\n",
        tex_escape(collaboration),
        tex_escape(&summary.title),
        summary
            .reference
            .as_deref()
            .map(|r| format!(" ({})", tex_escape(r)))
            .unwrap_or_default(),
        summary.date,
        content.authors.len(),
        content.institutions.len()
    );
    for author in &content.authors {
        // Initials are joined to the family name with a non-breaking space.
        let name = tex_escape(&author.paper_name).replace(". ", ".~");
        out.push_str(&format!("\\author{{{name}}}\n"));
        for printed in content.printed_affiliations(author) {
            out.push_str(&format!("\\affiliation{{{}}}\n", tex_escape(&printed)));
        }
    }
    out.push_str(&format!(
        "\\collaboration{{{} Collaboration}}\n",
        tex_escape(collaboration)
    ));
    out
}

/// `authors.txt`: the byline, each name with its institution numbers, then the numbered
/// institutions.
fn text(collaboration: &str, content: &AuthorListContent) -> String {
    let byline: Vec<String> = content
        .authors
        .iter()
        .map(|author| {
            let numbers: Vec<String> = author
                .affiliations
                .iter()
                .map(|a| a.number.to_string())
                .collect();
            format!("{} [{}]", author.paper_name, numbers.join(","))
        })
        .collect();
    let mut out = format!(
        "({collaboration} Collaboration)\n\n{}\n\n",
        byline.join(", ")
    );
    for institution in &content.institutions {
        out.push_str(&format!(
            "[{}] {}\n",
            institution.number,
            institution.printed()
        ));
    }
    out
}

/// `authors.csv`: one author a row, in order, with their institutions as printed.
fn csv(content: &AuthorListContent) -> AppResult<Vec<u8>> {
    let failed = |e: csv::Error| AppError::Internal(format!("writing authors.csv: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "position",
        "paper_name",
        "family_name",
        "given_name",
        "orcid",
        "inspire_id",
        "affiliation_numbers",
        "affiliations",
    ])
    .map_err(failed)?;
    for (position, author) in content.authors.iter().enumerate() {
        let numbers: Vec<String> = author
            .affiliations
            .iter()
            .map(|a| a.number.to_string())
            .collect();
        let printed = content.printed_affiliations(author);
        out.write_record([
            (position + 1).to_string(),
            author.paper_name.clone(),
            author.family_name.clone(),
            author.given_name.clone(),
            author.orcid.clone().unwrap_or_default(),
            author.inspire_id.clone().unwrap_or_default(),
            numbers.join(";"),
            printed.join("; "),
        ])
        .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| AppError::Internal(format!("writing authors.csv: {e}")))
}

#[cfg(test)]
mod tests {
    use super::tex_escape;

    #[test]
    fn tex_escapes_specials_and_accents() {
        assert_eq!(tex_escape("R&D 50% #1 a_b"), "R\\&D 50\\% \\#1 a\\_b");
        assert_eq!(tex_escape("Müller"), "M{\\\"{u}}ller");
        assert_eq!(
            tex_escape("Łukasz Świderski"),
            "{\\L}ukasz {\\'{S}}widerski"
        );
        assert_eq!(tex_escape("Ínigo Peña"), "{\\'{I}}nigo Pe{\\~{n}}a");
        assert_eq!(tex_escape("naïve"), "na{\\\"{{\\i}}}ve");
        assert_eq!(tex_escape("{x}\\"), "\\{x\\}\\textbackslash{}");
    }
}
