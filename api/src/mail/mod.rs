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
