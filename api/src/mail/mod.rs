//! Outgoing mail: the transports (SMTP, files, log) and the texts.

pub mod templates;

use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// Where mail goes, from `mail_url`.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>),
    /// Only the recipient and subject are logged (bodies may hold temporary passwords).
    Log,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mailer::Smtp(_) => "Mailer::Smtp",
            Mailer::File(_) => "Mailer::File",
            Mailer::Log => "Mailer::Log",
        })
    }
}

impl Mailer {
    /// `smtp://[user:pass@]host:port` (plain, or STARTTLS with `?tls=required`),
    /// `smtps://…` (implicit TLS), `file:///dir` or `log`.
    pub fn from_url(url: &str) -> Result<Self, String> {
        if url == "log" {
            return Ok(Self::Log);
        }
        if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir).map_err(|e| format!("mail directory {dir}: {e}"))?;
            return Ok(Self::File(AsyncFileTransport::new(dir)));
        }
        if url.starts_with("smtp://") || url.starts_with("smtps://") {
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                .map_err(|e| format!("mail_url: {e}"))?
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build();
            return Ok(Self::Smtp(transport));
        }
        Err("mail_url must be smtp://host:port, smtps://host:port, file:///dir or log".into())
    }

    /// Sends one message; the error text is for logs.
    pub async fn send(
        &self,
        from: &str,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        let from: Mailbox = from.parse().map_err(|e| format!("sender address: {e}"))?;
        let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to.clone())
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .map_err(|e| format!("building the message: {e}"))?;
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Mailer::Log => {
                tracing::info!(to = %to, subject, "mail (log transport, body not logged)");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn the_file_transport_writes_one_message_per_file() {
        let dir = std::env::temp_dir().join(format!("b2mms-mail-{}", uuid::Uuid::new_v4()));
        let mailer = Mailer::from_url(&format!("file://{}", dir.display())).unwrap();
        mailer
            .send(
                "b2mms <noreply@b2mms.test>",
                "jane@kek.jp",
                "Your account is ready",
                "Welcome, Jane.",
            )
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("Subject: Your account is ready"), "{text}");
        assert!(text.contains("To: jane@kek.jp"), "{text}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn mail_urls() {
        assert!(matches!(Mailer::from_url("log"), Ok(Mailer::Log)));
        assert!(matches!(
            Mailer::from_url("smtp://127.0.0.1:2525"),
            Ok(Mailer::Smtp(_))
        ));
        assert!(matches!(
            Mailer::from_url("smtps://mail.example.org"),
            Ok(Mailer::Smtp(_))
        ));
        assert!(Mailer::from_url("carrier-pigeon://x").is_err());
    }

    #[actix_web::test]
    async fn the_log_transport_never_logs_bodies() {
        // It only reports success; the body (which may hold a temporary password) goes nowhere.
        Mailer::Log
            .send(
                "b2mms <noreply@b2mms.test>",
                "jane@kek.jp",
                "Invitation",
                "password: s3cret",
            )
            .await
            .unwrap();
    }
}
