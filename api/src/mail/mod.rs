//! Outgoing mail: the transports (SMTP, files, log) and the texts.

pub mod templates;

use lettre::message::{Mailbox, Message, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// One message as it leaves b2mms.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The `Message-ID` (without angle brackets): the same on every attempt to deliver the
    /// same outbox row, so a message sent again after a crash is recognised as the same.
    pub message_id: &'a str,
}

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

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The mail server did not complete the conversation in time: it is unwell, and the
    /// next messages would most likely wait as long.
    #[error("the mail server did not complete the delivery within {0} s")]
    TimedOut(u64),
    /// The server or the message refused it; the text is for logs.
    #[error("{0}")]
    Failed(String),
}

/// Default bound on one whole delivery (connect, greeting, every command, the data).
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

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
                .timeout(Some(DEFAULT_TIMEOUT))
                .build();
            return Ok(Self::Smtp(transport));
        }
        Err("mail_url must be smtp://host:port, smtps://host:port, file:///dir or log".into())
    }

    /// Sends one message, giving up after `timeout` whatever the mail server does.
    pub async fn send(
        &self,
        mail: Outgoing<'_>,
        timeout: std::time::Duration,
    ) -> Result<(), DeliveryError> {
        match tokio::time::timeout(timeout, self.deliver(mail)).await {
            Ok(result) => result.map_err(DeliveryError::Failed),
            Err(_) => Err(DeliveryError::TimedOut(timeout.as_secs())),
        }
    }

    async fn deliver(&self, mail: Outgoing<'_>) -> Result<(), String> {
        let from: Mailbox = mail
            .from
            .parse()
            .map_err(|e| format!("sender address: {e}"))?;
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| format!("recipient address: {e}"))?;
        let message = Message::builder()
            .from(from)
            .to(to.clone())
            .subject(mail.subject)
            .message_id(Some(format!("<{}>", mail.message_id)))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.to_owned())
            .map_err(|e| format!("building the message: {e}"))?;
        let subject = mail.subject;
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
                Outgoing {
                    from: "b2mms <noreply@b2mms.test>",
                    to: "jane@kek.jp",
                    subject: "Your account is ready",
                    body: "Welcome, Jane.",
                    message_id: "0193-abc@b2mms.test",
                },
                DEFAULT_TIMEOUT,
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
        assert!(text.contains("Message-ID: <0193-abc@b2mms.test>"), "{text}");
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
                Outgoing {
                    from: "b2mms <noreply@b2mms.test>",
                    to: "jane@kek.jp",
                    subject: "Invitation",
                    body: "password: s3cret",
                    message_id: "1@b2mms.test",
                },
                DEFAULT_TIMEOUT,
            )
            .await
            .unwrap();
    }

    #[actix_web::test]
    async fn a_mail_server_that_never_answers_is_given_up_on_in_time() {
        // It accepts the connection and then stays silent.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mailer = Mailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();
        let started = std::time::Instant::now();
        let result = mailer
            .send(
                Outgoing {
                    from: "b2mms <noreply@b2mms.test>",
                    to: "jane@kek.jp",
                    subject: "Hello",
                    body: "Hello",
                    message_id: "2@b2mms.test",
                },
                std::time::Duration::from_millis(300),
            )
            .await;
        assert_eq!(result, Err(DeliveryError::TimedOut(0)));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        drop(listener);
    }
}
