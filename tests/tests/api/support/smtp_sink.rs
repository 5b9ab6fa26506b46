//! A small SMTP server for the tests (RFC 5321: EHLO/HELO, AUTH PLAIN, MAIL, RCPT,
//! DATA with dot-unstuffing, RSET, NOOP, QUIT). It keeps every message it accepted,
//! can refuse mail with a 4xx reply for a while (an outage), and can hold back the
//! final reply to DATA (so that a test can kill the sender in the middle of sending).
//! A message counts as delivered only once its `250` has been written, as for a real
//! server: a connection dropped before that delivers nothing.

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    sync::watch,
};

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent, after dot-unstuffing.
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&self.data)
            .expect("a parsable message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn html(&self) -> String {
        self.parsed()
            .body_html(0)
            .map(|t| t.into_owned())
            .unwrap_or_default()
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_owned()
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Refuse this many more MAIL commands with 451.
    refusals_left: usize,
    refused: usize,
    /// Hold the reply to DATA until released.
    holding: bool,
    /// DATA replies held now.
    held: usize,
}

pub struct SmtpSink {
    pub port: u16,
    credentials: Option<(String, String)>,
    state: Arc<Mutex<State>>,
    /// Bumped on every change, for waiters.
    changed: watch::Sender<u64>,
    release: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    /// Starts a sink on a free loopback port; with `credentials`, mail is accepted only
    /// after `AUTH PLAIN` with them.
    pub async fn start(credentials: Option<(&str, &str)>) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(Mutex::new(State::default()));
        let (changed, _) = watch::channel(0_u64);
        let (release, _) = watch::channel(false);
        let credentials = credentials.map(|(u, p)| (u.to_owned(), p.to_owned()));
        let task = {
            let state = Arc::clone(&state);
            let changed = changed.clone();
            let release = release.clone();
            let credentials = credentials.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(session(
                        stream,
                        Arc::clone(&state),
                        changed.clone(),
                        release.subscribe(),
                        credentials.clone(),
                    ));
                }
            })
        };
        Ok(Self {
            port,
            credentials,
            state,
            changed,
            release,
            task,
        })
    }

    /// The `SMTP_URL` of this sink.
    pub fn url(&self) -> String {
        match &self.credentials {
            Some((user, password)) => format!("smtp://{user}:{password}@127.0.0.1:{}", self.port),
            None => format!("smtp://127.0.0.1:{}", self.port),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// Messages to `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to.eq_ignore_ascii_case(address)))
            .collect()
    }

    /// Refuses the next `count` messages with `451` (a temporary failure).
    pub fn refuse_next(&self, count: usize) {
        self.state.lock().unwrap().refusals_left = count;
    }

    /// How many messages were refused.
    pub fn refused(&self) -> usize {
        self.state.lock().unwrap().refused
    }

    /// From now on, holds back the reply to each message's DATA until [`Self::release`].
    pub fn hold(&self) {
        self.state.lock().unwrap().holding = true;
        let _ = self.release.send(false);
    }

    pub fn release(&self) {
        self.state.lock().unwrap().holding = false;
        let _ = self.release.send(true);
    }

    /// Waits until at least `count` DATA replies are being held.
    pub async fn until_held(&self, count: usize) {
        let mut changes = self.changed.subscribe();
        loop {
            if self.state.lock().unwrap().held >= count {
                return;
            }
            changes.changed().await.unwrap();
        }
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

fn bump(changed: &watch::Sender<u64>) {
    changed.send_modify(|n| *n += 1);
}

fn address(argument: &str) -> String {
    let start = argument.find('<').map_or(0, |i| i + 1);
    let end = argument[start..]
        .find('>')
        .map_or(argument.len(), |i| start + i);
    argument[start..end].to_owned()
}

async fn session(
    stream: TcpStream,
    state: Arc<Mutex<State>>,
    changed: watch::Sender<u64>,
    mut release: watch::Receiver<bool>,
    credentials: Option<(String, String)>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    macro_rules! reply {
        ($text:expr) => {
            if write
                .write_all(format!("{}\r\n", $text).as_bytes())
                .await
                .is_err()
            {
                return;
            }
        };
    }
    reply!("220 sink.test ESMTP ready");
    let mut authenticated = credentials.is_none();
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_owned();
        let (verb, argument) = command.split_once(' ').unwrap_or((&command, ""));
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => reply!("250-sink.test\r\n250-AUTH PLAIN\r\n250-8BITMIME\r\n250 SMTPUTF8"),
            "HELO" => reply!("250 sink.test"),
            "AUTH" => {
                let mut parts = argument.split_whitespace();
                let mechanism = parts.next().unwrap_or_default();
                if !mechanism.eq_ignore_ascii_case("PLAIN") {
                    reply!("504 5.5.4 only PLAIN");
                    continue;
                }
                let encoded = match parts.next() {
                    Some(initial) => initial.to_owned(),
                    None => {
                        reply!("334 ");
                        let mut response = String::new();
                        if lines.read_line(&mut response).await.unwrap_or(0) == 0 {
                            return;
                        }
                        response.trim_end().to_owned()
                    }
                };
                use base64::Engine;
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .unwrap_or_default();
                let fields: Vec<&[u8]> = decoded.split(|b| *b == 0).collect();
                let good = match (&credentials, fields.as_slice()) {
                    (Some((user, password)), [_, u, p]) => {
                        *u == user.as_bytes() && *p == password.as_bytes()
                    }
                    _ => false,
                };
                if good {
                    authenticated = true;
                    reply!("235 2.7.0 authenticated");
                } else {
                    reply!("535 5.7.8 bad credentials");
                }
            }
            "MAIL" => {
                if !authenticated {
                    reply!("530 5.7.0 authentication required");
                    continue;
                }
                let refuse = {
                    let mut s = state.lock().unwrap();
                    if s.refusals_left > 0 {
                        s.refusals_left -= 1;
                        s.refused += 1;
                        true
                    } else {
                        false
                    }
                };
                if refuse {
                    bump(&changed);
                    reply!("451 4.3.0 try again later");
                    continue;
                }
                from = Some(address(argument));
                to.clear();
                reply!("250 2.1.0 ok");
            }
            "RCPT" => {
                if from.is_none() {
                    reply!("503 5.5.1 MAIL first");
                    continue;
                }
                to.push(address(argument));
                reply!("250 2.1.5 ok");
            }
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    reply!("503 5.5.1 MAIL and RCPT first");
                    continue;
                }
                reply!("354 end with <CRLF>.<CRLF>");
                let mut data = Vec::new();
                loop {
                    let mut raw = Vec::new();
                    match lines.read_until(b'\n', &mut raw).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if raw == b".\r\n" || raw == b".\n" {
                        break;
                    }
                    let unstuffed = if raw.first() == Some(&b'.') {
                        &raw[1..]
                    } else {
                        &raw[..]
                    };
                    data.extend_from_slice(unstuffed);
                }
                let hold = state.lock().unwrap().holding;
                if hold {
                    state.lock().unwrap().held += 1;
                    bump(&changed);
                    // Until released, or until the client goes away (then nothing is
                    // delivered: no 250 was sent).
                    let mut peek = [0_u8; 1];
                    // Biased, the closed connection first: a test releases the hold only
                    // after the client was killed, and when both are ready an unbiased
                    // select could pick the release, write the 250 into the dead socket
                    // (the write succeeds; the kernel buffers it) and count a message no
                    // client ever saw accepted, which the restarted server then sends again.
                    let gone = tokio::select! {
                        biased;
                        read = lines.get_mut().peek(&mut peek) => matches!(read, Ok(0) | Err(_)),
                        _ = release.wait_for(|released| *released) => false,
                    };
                    state.lock().unwrap().held -= 1;
                    bump(&changed);
                    if gone {
                        return;
                    }
                }
                if write.write_all(b"250 2.0.0 queued\r\n").await.is_err() {
                    return;
                }
                state.lock().unwrap().received.push(Received {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                });
                bump(&changed);
            }
            "RSET" => {
                from = None;
                to.clear();
                reply!("250 2.0.0 ok");
            }
            "NOOP" => reply!("250 2.0.0 ok"),
            "QUIT" => {
                reply!("221 2.0.0 bye");
                return;
            }
            _ => reply!("502 5.5.2 command not recognised"),
        }
    }
}
