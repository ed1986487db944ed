//! A real Secret Service for the sign-in tests: a session bus and an unlocked GNOME Keyring of
//! the test's own (scripts/setup.sh installs dbus, gnome-keyring and libsecret-tools), its
//! keyrings under the test's folder, stopped when dropped. A process that should use it gets
//! its bus address in `DBUS_SESSION_BUS_ADDRESS`.

use std::io::Write as _;
use std::time::Duration;

/// A session bus and an unlocked GNOME Keyring (a real Secret Service) of the test's own,
/// stopped when dropped.
#[derive(Debug)]
pub struct SecretService {
    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub address: String,
    bus: std::process::Child,
    keyring: std::process::Child,
}

impl SecretService {
    /// Starts a bus and a keyring whose files are under `home`.
    pub fn start(home: &std::path::Path) -> SecretService {
        use std::io::BufRead as _;
        let mut bus = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("dbus-daemon runs (scripts/setup.sh installs it)");
        let mut address = String::new();
        std::io::BufReader::new(bus.stdout.take().expect("its stdout"))
            .read_line(&mut address)
            .expect("the bus's address");
        let address = address.trim().to_owned();
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime).expect("a runtime folder");
        let mut keyring = std::process::Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon runs (scripts/setup.sh installs it)");
        // The login keyring's password, then end of input: it is created and unlocked.
        drop(
            keyring
                .stdin
                .take()
                .expect("its stdin")
                .write_all(b"test-keyring-password"),
        );
        let service = SecretService {
            address,
            bus,
            keyring,
        };
        // Nothing asks the Secret Service before this keyring holds its name on the bus: a
        // call before then makes the bus start another keyring from its service file, one
        // without the unlocked login keyring, and every store fails from then on.
        for _ in 0..100 {
            if service.owns_its_name() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Ready once an item can be stored (a search answers before the login keyring that
        // holds items exists), then the probe is removed.
        for _ in 0..100 {
            if service.store_probe() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        service.secret_tool(&["clear", "service", "outreach-keyring-probe"]);
        service
    }

    /// Whether this keyring holds `org.freedesktop.secrets` on the bus (asking starts nothing).
    /// Panics when another process holds it: the bus started one from its service file.
    fn owns_its_name(&self) -> bool {
        let Ok(output) = std::process::Command::new("dbus-send")
            .args([
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                "string:org.freedesktop.secrets",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
        else {
            return false;
        };
        if !output.status.success() {
            return false;
        }
        let holder = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .last()
            .and_then(|pid| pid.parse::<u32>().ok());
        assert_eq!(
            holder,
            Some(self.keyring.id()),
            "the Secret Service on the test's bus is not the test's keyring"
        );
        true
    }

    /// Stores a probe item: whether the keyring took it.
    fn store_probe(&self) -> bool {
        let Ok(mut child) = std::process::Command::new("secret-tool")
            .args([
                "store",
                "--label=probe",
                "service",
                "outreach-keyring-probe",
            ])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        else {
            return false;
        };
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(b"probe");
        }
        child.wait().is_ok_and(|status| status.success())
            && self
                .secret_tool(&["lookup", "service", "outreach-keyring-probe"])
                .1
                .contains("probe")
    }

    /// Runs `secret-tool` on this bus: whether it succeeded, and its output.
    pub fn secret_tool(&self, args: &[&str]) -> (bool, String) {
        let output = std::process::Command::new("secret-tool")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("secret-tool runs (scripts/setup.sh installs libsecret-tools)");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
