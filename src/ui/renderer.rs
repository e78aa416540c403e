//! Which graphics renderer draws the window, and what happens when one will not
//! start. Practice PCs often run over remote desktop or on virtual desktops with
//! no GPU and weak or no OpenGL, so the choice is deliberate:
//!
//! 1. **wgpu** first: on Windows it uses DirectX 12, which includes Microsoft's
//!    WARP software adapter when there is no GPU (the usual case over remote
//!    desktop); elsewhere Vulkan or OpenGL (Mesa's llvmpipe in software).
//! 2. **glow** (OpenGL 2+) if wgpu cannot start: the program starts itself
//!    again with glow (a window system allows one event loop per process).
//! 3. If neither starts, a message says what was tried and what IT can do.
//!
//! `--renderer wgpu|glow` (or `CUTOVER_LOG_RENDERER`) picks one and skips the fallback.

/// The variable that picks the renderer (`auto`, `wgpu` or `glow`).
pub const RENDERER_VAR: &str = "CUTOVER_LOG_RENDERER";
/// Set (internally) on the second attempt: what the first attempt said.
const FIRST_FAILURE_VAR: &str = "CUTOVER_LOG_RENDERER_FIRST_FAILURE";

/// A renderer choice from the command line or the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RendererChoice {
    /// wgpu, then glow if wgpu will not start.
    #[default]
    Auto,
    Wgpu,
    Glow,
}

impl RendererChoice {
    /// From `CUTOVER_LOG_RENDERER`, if set; an unknown value is an error in words.
    pub fn from_env() -> Result<Option<Self>, String> {
        match std::env::var(RENDERER_VAR) {
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "{RENDERER_VAR} is not plain text; use auto, wgpu or glow"
            )),
            Ok(v) => match v.trim().to_ascii_lowercase().as_str() {
                "" | "auto" => Ok(Some(Self::Auto)),
                "wgpu" => Ok(Some(Self::Wgpu)),
                "glow" | "opengl" => Ok(Some(Self::Glow)),
                other => Err(format!(
                    "{RENDERER_VAR}={other} is not a renderer; use auto, wgpu or glow"
                )),
            },
        }
    }

    /// The choice for this run: the command line's, else the environment's; on the
    /// fallback attempt the environment (set by the first attempt) decides.
    pub fn resolve(cli: Option<Self>) -> Result<Self, String> {
        let env = Self::from_env()?;
        if std::env::var_os(FIRST_FAILURE_VAR).is_some() {
            return Ok(env.unwrap_or_default());
        }
        Ok(cli.or(env).unwrap_or_default())
    }

    /// The renderer to try now, and the one to fall back to if it fails.
    pub fn plan(self) -> (eframe::Renderer, Option<eframe::Renderer>) {
        match self {
            Self::Auto => (eframe::Renderer::Wgpu, Some(eframe::Renderer::Glow)),
            Self::Wgpu => (eframe::Renderer::Wgpu, None),
            Self::Glow => (eframe::Renderer::Glow, None),
        }
    }
}

fn name(r: eframe::Renderer) -> &'static str {
    match r {
        eframe::Renderer::Glow => "glow",
        eframe::Renderer::Wgpu => "wgpu",
    }
}

/// What a failed attempt leads to.
pub enum AfterFailure {
    /// Start again as a new process with this renderer (the exit code to return).
    Retried(std::process::ExitCode),
    /// Nothing more to try: the message for the user.
    GiveUp(String),
}

/// Handles `error` from starting `tried`: starts the fallback in a new process,
/// or explains what failed and what to do.
pub fn after_failure(
    tried: eframe::Renderer,
    fallback: Option<eframe::Renderer>,
    error: &str,
) -> AfterFailure {
    // Why the fallback could not even be started, if it could not: said with the rest.
    let mut not_started = None;
    if let Some(next) = fallback {
        let status = std::env::current_exe().and_then(|exe| {
            std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env(RENDERER_VAR, name(next))
                .env(
                    FIRST_FAILURE_VAR,
                    format!("{}: {}", name(tried), plain_error(error)),
                )
                .status()
        });
        match status {
            Ok(status) => {
                // Killed by a signal (no code): a failure all the same.
                let code = status
                    .code()
                    .and_then(|c| u8::try_from(c).ok())
                    .unwrap_or(1);
                return AfterFailure::Retried(std::process::ExitCode::from(code));
            }
            Err(e) => {
                not_started = Some(format!(
                    "  {}: could not be tried in a new process ({e})\n",
                    name(next)
                ))
            }
        }
    }
    let error = plain_error(error);
    // Set only in the re-started process: the first attempt's failure.
    let mut tried_all = std::env::var(FIRST_FAILURE_VAR)
        .map(|first| format!("  {first}\n"))
        .unwrap_or_default();
    tried_all.push_str(&format!("  {}: {error}\n", name(tried)));
    tried_all.extend(not_started);
    let message = failure_message(&tried_all);
    show_in_a_box("Cutover Log could not open its window", &message);
    AfterFailure::GiveUp(message)
}

/// On Windows the program is usually started from Explorer or a shortcut, where a message on
/// stderr goes to a console window that closes as the program exits: say it in a message box
/// too (plain Win32, which needs no graphics layer). Elsewhere stderr is enough.
#[cfg(windows)]
pub fn show_in_a_box(title: &str, message: &str) {
    // What the box gives back is the button pressed (there is only OK); the same
    // message goes to stderr whatever happens here.
    let _ = rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title(title)
        .set_description(message)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
}

#[cfg(not(windows))]
pub fn show_in_a_box(_title: &str, _message: &str) {}

/// The graphics layer's error without the source-code location some of them carry
/// (winit says "os error at /home/.../winit-0.30.13/src/...rs:765: neither ..."): the
/// location means nothing to the reader, the rest says what went wrong.
pub fn plain_error(error: &str) -> String {
    let mut out = String::with_capacity(error.len());
    let mut rest = error;
    while let Some(at) = rest.find(" at ") {
        let after = &rest[at + 4..];
        // A location is a path ending in ".rs:LINE" (optionally ":COLUMN"), then ":" or the end.
        let location_end = after.find(".rs:").and_then(|rs| {
            let digits = &after[rs + 4..];
            let n = digits
                .find(|c: char| !c.is_ascii_digit() && c != ':')
                .unwrap_or(digits.len());
            let path = &after[..rs];
            (n > 0 && !path.contains(char::is_whitespace)).then_some(rs + 4 + n)
        });
        match location_end {
            Some(end) => {
                out.push_str(&rest[..at]);
                out.push(':');
                rest = after[end..].trim_start_matches(':');
                if !rest.starts_with(' ') && !rest.is_empty() {
                    out.push(' ');
                }
            }
            None => {
                out.push_str(&rest[..at + 4]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.trim_end_matches(':').to_string()
}

/// The message when no renderer starts: what was tried, and what to do.
pub fn failure_message(tried: &str) -> String {
    format!(
        "Cutover Log could not open its window. The graphics layer would not start:\n{tried}\
         What to do:\n\
         - On a PC used over remote desktop or a virtual desktop: ask IT to allow DirectX or \
         OpenGL in remote sessions, or to place Mesa's software opengl32.dll beside \
         cutover-log.exe, then start it with --renderer glow.\n\
         - On Linux: check that DISPLAY or WAYLAND_DISPLAY is set (under a headless server, \
         run it with xvfb-run -a).\n\
         - To pick a renderer yourself: --renderer wgpu or --renderer glow.\n\
         Nothing in the log was touched, and the command line still works (cutover-log --help)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_tries_wgpu_then_glow_and_an_explicit_choice_has_no_fallback() {
        assert_eq!(
            RendererChoice::Auto.plan(),
            (eframe::Renderer::Wgpu, Some(eframe::Renderer::Glow))
        );
        assert_eq!(RendererChoice::Glow.plan(), (eframe::Renderer::Glow, None));
        let m = failure_message("  wgpu: no adapter\n  glow: no display\n");
        assert!(m.contains("wgpu: no adapter") && m.contains("glow: no display"));
        assert!(m.contains("--renderer glow"), "says what to do");
    }

    #[test]
    fn a_source_location_is_taken_out_of_the_graphics_error() {
        assert_eq!(
            plain_error(
                "winit EventLoopError: os error at /root/.cargo/registry/src/index/winit-0.30.13/\
                 src/platform_impl/linux/mod.rs:765: neither WAYLAND_DISPLAY nor WAYLAND_SOCKET \
                 nor DISPLAY is set."
            ),
            "winit EventLoopError: os error: neither WAYLAND_DISPLAY nor WAYLAND_SOCKET nor \
             DISPLAY is set."
        );
        assert_eq!(
            plain_error("panicked at src/x.rs:1:5"),
            "panicked",
            "a location at the end"
        );
        assert_eq!(
            plain_error("no adapter at all: look at the driver"),
            "no adapter at all: look at the driver",
            "words after \"at\" that are not a location stay"
        );
    }
}
