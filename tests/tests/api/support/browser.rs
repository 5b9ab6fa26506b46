//! Headless Chromium for the browser tests, driven over WebDriver with fantoccini.
//!
//! One chromedriver per test process, on a free port, started at the first
//! [`Browser::open`] and ended when the process exits (it runs under a shell that kills
//! it once the process's end closes its stdin). Each [`Browser`] is a fresh Chromium
//! session (`--headless=new`, no sandbox: the tests run as root) with JavaScript on or
//! off ([`Javascript`], through Chrome's content-settings preference), waits on page
//! conditions (never a fixed sleep), saves screenshots at 360×800 and 1280×800 under
//! `target/screenshots/<test>/<page>-<width>.png`, and audits pages with axe-core
//! (`tests/web-audit`, installed with `npm ci` when missing). Run a journey with
//! [`with_browser`], which closes the session (and its Chromium) even when the journey
//! fails. `CHROMEDRIVER` and `CHROME_BIN` override Debian's `/usr/bin/chromedriver` and
//! `/usr/bin/chromium`.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    sync::Mutex,
    time::Duration,
};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator, elements::Element};
use serde_json::{Value, json};

/// The widths every screenshot is taken at (800 px high): a phone and a laptop.
pub const WIDTHS: [u32; 2] = [360, 1280];

/// How long a page condition may take to hold: generous, for a loaded shared machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// Whether pages may run scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Javascript {
    On,
    Off,
}

/// The chromedriver of this test process.
struct Driver {
    port: u16,
    /// The shell running chromedriver waits on this pipe; its closing at exit ends both.
    _stdin: ChildStdin,
    _shell: Child,
}

static DRIVER: Mutex<Option<Driver>> = Mutex::new(None);

fn chromedriver_path() -> String {
    std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned())
}

fn chrome_path() -> String {
    std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// The port of this process's chromedriver, started on first use.
fn driver_port() -> anyhow::Result<u16> {
    let mut driver = DRIVER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(driver) = driver.as_ref() {
        return Ok(driver.port);
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    // chromedriver does not end with its parent: the shell kills it when our end of
    // its stdin closes, which the kernel does when this process exits however it ends.
    let mut shell = Command::new("sh")
        .args([
            "-c",
            "\"$0\" --port=\"$1\" --log-level=WARNING 2>&1 & pid=$!; cat >/dev/null; kill $pid",
            &chromedriver_path(),
            &port.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", chromedriver_path()))?;
    let stdin = shell.stdin.take().context("chromedriver's stdin")?;
    let stdout = shell.stdout.take().context("chromedriver's stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut said = Vec::new();
    loop {
        let Some(line) = lines.next().transpose()? else {
            bail!(
                "chromedriver exited before it listened (is chromium-driver installed?):\n{}",
                said.join("\n")
            );
        };
        if line.contains("started successfully") {
            break;
        }
        said.push(line);
    }
    // Keep reading, so that chromedriver never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    *driver = Some(Driver {
        port,
        _stdin: stdin,
        _shell: shell,
    });
    Ok(port)
}

/// `npm ci` of `tests/web-audit` once per test process, when axe-core is missing.
static AXE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

fn audit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("web-audit")
}

async fn axe_source() -> anyhow::Result<&'static str> {
    AXE.get_or_try_init(|| async {
        let script = audit_dir().join("node_modules/axe-core/axe.min.js");
        if !script.exists() {
            let status = tokio::process::Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(audit_dir())
                .status()
                .await?;
            anyhow::ensure!(status.success(), "npm ci in {:?} failed", audit_dir());
        }
        Ok(std::fs::read_to_string(script)?)
    })
    .await
    .map(String::as_str)
}

/// `target/screenshots/<test>`, beside the test binary's `target/<profile>/deps`.
fn screenshot_dir(test: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let target = exe
        .ancestors()
        .nth(3)
        .context("the test binary is not under target/<profile>/deps")?;
    let dir = target.join("screenshots").join(test);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One Chromium session against one server.
pub struct Browser {
    pub client: Client,
    base_url: String,
    test: String,
    pub javascript: Javascript,
}

impl Browser {
    /// A fresh session, its window 360×800, named `test` for its screenshots.
    pub async fn open(base_url: &str, test: &str, javascript: Javascript) -> anyhow::Result<Self> {
        let port = tokio::task::spawn_blocking(driver_port).await??;
        let mut prefs = json!({ "intl.accept_languages": "en-GB,en" });
        if javascript == Javascript::Off {
            prefs["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome_path(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--lang=en-GB",
                    "--window-size=360,800",
                ],
                "prefs": prefs,
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            bail!("capabilities are an object");
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("opening a Chromium session")?;
        client.set_window_size(WIDTHS[0], 800).await?;
        Ok(Self {
            client,
            base_url: base_url.to_owned(),
            test: test.to_owned(),
            javascript,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Opens a path of the server and waits for the page to load.
    pub async fn goto(&self, path: &str) -> anyhow::Result<()> {
        self.client.goto(&self.url(path)).await?;
        Ok(())
    }

    /// The path and query of the current page.
    pub async fn path(&self) -> anyhow::Result<String> {
        let url = self.client.current_url().await?;
        Ok(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Waits until an element matches the CSS selector.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<Element> {
        self.wait_for_locator(Locator::Css(css), css).await
    }

    /// Waits until an element matches the XPath expression (for conditions on text).
    pub async fn wait_for_xpath(&self, xpath: &str) -> anyhow::Result<Element> {
        self.wait_for_locator(Locator::XPath(xpath), xpath).await
    }

    async fn wait_for_locator(&self, locator: Locator<'_>, what: &str) -> anyhow::Result<Element> {
        match self
            .client
            .wait()
            .at_most(PATIENCE)
            .every(Duration::from_millis(50))
            .for_element(locator)
            .await
        {
            Ok(element) => Ok(element),
            Err(error) => {
                let path = self.path().await.unwrap_or_default();
                let source = self.client.source().await.unwrap_or_default();
                bail!("waiting for {what} on {path}: {error}\n--- page ---\n{source}")
            }
        }
    }

    /// Waits for an element whose text contains `text`, under the CSS-like element name
    /// (`tag` is an XPath node test: `p`, `h1`, `*`).
    pub async fn wait_for_text(&self, tag: &str, text: &str) -> anyhow::Result<Element> {
        self.wait_for_xpath(&format!(
            "//{tag}[contains(normalize-space(.), {})]",
            xpath_string(text)
        ))
        .await
    }

    /// Types into the field with this id, replacing what it held.
    pub async fn fill(&self, id: &str, value: &str) -> anyhow::Result<()> {
        let field = self.client.find(Locator::Id(id)).await?;
        field.clear().await?;
        field.send_keys(value).await?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.client.find(Locator::Css(css)).await?.click().await?;
        Ok(())
    }

    /// Screenshots of the viewport at each of [`WIDTHS`], as
    /// `target/screenshots/<test>/<page>-<width>.png`; the window is left at 360 px.
    pub async fn screenshot(&self, page: &str) -> anyhow::Result<()> {
        let dir = screenshot_dir(&self.test)?;
        for width in WIDTHS.iter().rev() {
            self.client.set_window_size(*width, 800).await?;
            let png = self.client.screenshot().await?;
            anyhow::ensure!(png.starts_with(b"\x89PNG"), "a screenshot is not a PNG");
            std::fs::write(dir.join(format!("{page}-{width}.png")), png)?;
        }
        Ok(())
    }

    /// The visible elements reaching past the right edge of the window, when the page
    /// scrolls sideways (empty when it does not): at 360 px a page that does hides its
    /// fields' right edges from a phone. Each as `TAG#id.class right-edge`.
    pub async fn wider_than_the_window(&self) -> anyhow::Result<Vec<String>> {
        let found = self
            .client
            .execute(
                "const root = document.documentElement, w = root.clientWidth;
                 if (root.scrollWidth <= w) return [];
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > w + 1)
                   .slice(-3)
                   .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' '
                             + Math.round(e.getBoundingClientRect().right));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// axe-core's violations of impact serious or critical on the current page (WCAG
    /// 2.0/2.1 A and AA rules and axe's best practices), each as `rule: nodes`.
    pub async fn accessibility_violations(&self) -> anyhow::Result<Vec<String>> {
        let axe = axe_source().await?;
        self.client.execute(axe, vec![]).await?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                    .then((r) => done({ violations: r.violations, passed: r.passes.length }),
                          (e) => done({ error: String(e) }));",
                vec![],
            )
            .await?;
        if let Some(error) = result.get("error") {
            bail!("axe failed: {error}");
        }
        // An audit that checked nothing would pass vacuously.
        anyhow::ensure!(
            result["passed"].as_u64().unwrap_or(0) > 10,
            "axe checked almost nothing: {result}"
        );
        let violations = result["violations"]
            .as_array()
            .context("axe's violations")?;
        Ok(violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let targets: Vec<&Value> = v["nodes"]
                    .as_array()
                    .map(|nodes| nodes.iter().map(|n| &n["target"]).collect())
                    .unwrap_or_default();
                format!(
                    "{} ({}): {} at {:?}",
                    v["id"].as_str().unwrap_or_default(),
                    v["impact"].as_str().unwrap_or_default(),
                    v["help"].as_str().unwrap_or_default(),
                    targets
                )
            })
            .collect())
    }
}

/// An XPath string literal of any text (XPath 1.0 has no escapes: quotes are joined
/// with `concat`).
fn xpath_string(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|part| format!("'{part}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// Opens a session, runs `journey` in it, and closes the session whatever the journey
/// did (a failed assertion included), then reports the journey's outcome.
pub async fn with_browser<F, Fut>(
    base_url: &str,
    test: &str,
    javascript: Javascript,
    journey: F,
) -> anyhow::Result<()>
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let browser = Browser::open(base_url, test, javascript).await?;
    let client = browser.client.clone();
    // A task of its own, so that a panic in the journey comes back as a value here.
    let outcome = tokio::spawn(journey(browser)).await;
    let closed = client.close().await;
    match outcome {
        Ok(result) => {
            result?;
            closed.context("closing the Chromium session")?;
            Ok(())
        }
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => Err(error.into()),
    }
}
