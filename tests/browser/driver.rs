//! A real headless Chromium driven over WebDriver (Debian's chromium and chromedriver, started
//! per test on a free port), with a few blocking helpers so tests read as steps.

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    rt: tokio::runtime::Runtime,
    client: Option<Client>,
    driver: Child,
    _profile: tempfile::TempDir,
    base: String,
}

fn installed() -> bool {
    ["chromium", "chromedriver"].iter().all(|b| {
        Command::new("sh")
            .args(["-c", &format!("command -v {b}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Installs the browser with the project's own script when it is missing.
fn ensure_installed() {
    if installed() {
        return;
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser/install.sh");
    let ok = Command::new("bash")
        .arg(&script)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok && installed(),
        "the browser tests need Debian's chromium and chromium-driver; `bash {}` could not install them",
        script.display()
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// A fresh browser (its own empty profile: no cookies) for a site at `base`.
    pub fn start(base: &str) -> Browser {
        ensure_installed();
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let caps = json!({
            "goog:chromeOptions": {
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        });
        let caps = caps.as_object().unwrap().clone();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let attempt = rt.block_on(
                ClientBuilder::new(connector)
                    .capabilities(caps.clone())
                    .connect(&url),
            );
            match attempt {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("no WebDriver session with chromium: {e}"),
            }
        };
        Browser {
            rt,
            client: Some(client),
            driver,
            _profile: profile,
            base: base.to_owned(),
        }
    }

    fn c(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    pub fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.rt.block_on(self.c().goto(&url)).unwrap();
        self.wait_new_page();
    }

    /// The element, waiting up to 10 s for it to appear.
    pub fn find(&self, css: &str) -> Element {
        self.rt
            .block_on(
                self.c()
                    .wait()
                    .at_most(Duration::from_secs(10))
                    .for_element(Locator::Css(css)),
            )
            .unwrap_or_else(|e| {
                let text = self.js("return document.body.innerText;", vec![]);
                panic!(
                    "no element {css} on {}: {e}\npage text: {text}",
                    self.path()
                )
            })
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        self.rt
            .block_on(self.c().find_all(Locator::Css(css)))
            .unwrap()
    }

    /// Replaces a field's value.
    pub fn fill(&self, css: &str, value: &str) {
        let el = self.find(css);
        self.rt.block_on(el.clear()).unwrap();
        self.rt.block_on(el.send_keys(value)).unwrap();
    }

    /// Clicks something that loads a new page, and waits for that page.
    pub fn click(&self, css: &str) {
        let el = self.find(css);
        self.click_el(&el);
    }

    /// Same, for an element in hand.
    pub fn click_el(&self, el: &Element) {
        self.js("window.__koppel_old_page = true;", vec![]);
        self.rt.block_on(el.clone().click()).unwrap();
        self.wait_new_page();
    }

    fn wait_new_page(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // A page may be replaced while it is asked (a redirect, a refresh): ask again.
            let v = self.rt.block_on(self.c().execute(
                "return !window.__koppel_old_page && document.readyState === 'complete';",
                vec![],
            ));
            if matches!(v, Ok(ref v) if *v == json!(true)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after a click on {}",
                self.path()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Chooses an option of a select by value.
    pub fn select(&self, css: &str, value: &str) {
        self.find(css);
        self.js(
            "const s = document.querySelector(arguments[0]); s.value = arguments[1];",
            vec![json!(css), json!(value)],
        );
    }

    pub fn text(&self, css: &str) -> String {
        let el = self.find(css);
        self.rt.block_on(el.text()).unwrap()
    }

    pub fn attr(&self, el: &Element, name: &str) -> Option<String> {
        self.rt.block_on(el.attr(name)).unwrap()
    }

    pub fn source(&self) -> String {
        self.rt.block_on(self.c().source()).unwrap()
    }

    /// Path and query of the current page.
    pub fn path(&self) -> String {
        let url = self.rt.block_on(self.c().current_url()).unwrap();
        url.as_str()
            .strip_prefix(&self.base)
            .unwrap_or(url.as_str())
            .to_owned()
    }

    /// Runs a script in the page; `arguments[0..]` are `args`.
    pub fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.rt.block_on(self.c().execute(script, args)).unwrap()
    }

    /// The HTTP status of a request to this site with the browser's cookies (its session),
    /// made outside the page: the pages' content security policy lets no script of theirs
    /// (nor one injected by a test) make requests.
    pub fn status_of(&self, method: &str, path: &str, form: &str) -> u16 {
        let cookies = self
            .rt
            .block_on(self.c().get_all_cookies())
            .unwrap()
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => client.get(url),
            m => client
                .request(m.parse().unwrap(), url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(form.to_owned()),
        };
        req.header("cookie", cookies)
            .send()
            .unwrap()
            .status()
            .as_u16()
    }

    /// Waits until `css` is on the page, reloading while it is not.
    pub fn wait_for(&self, css: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            // The page may be replaced while it is asked (its own refresh): ask again.
            let found = self.rt.block_on(self.c().find_all(Locator::Css(css)));
            if found.is_ok_and(|f| !f.is_empty()) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} never appeared on {}",
                self.path()
            );
            std::thread::sleep(Duration::from_millis(250));
            if self.rt.block_on(self.c().refresh()).is_ok() {
                self.wait_new_page();
            }
        }
    }

    /// Saves a screenshot when `KOPPEL_SCREENSHOTS` names a directory (for the docs).
    pub fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("KOPPEL_SCREENSHOTS") {
            let png = self.rt.block_on(self.c().screenshot()).unwrap();
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).unwrap();
        }
    }

    /// Signs in with a token on the sign-in page.
    pub fn sign_in(&self, token: &str) {
        self.goto("/sign-in");
        self.fill("#token", token);
        self.click("form[action='/sign-in'] button[type=submit]");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let _ = self.rt.block_on(c.close());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
