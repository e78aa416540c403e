//! Build script: only for a Windows target, puts the icon (assets/icon.ico, made from
//! assets/icon.png by scripts/make-icon.sh) and the version information into the .exe's
//! resources, so Explorer, the taskbar and a shortcut show them and Properties → Details
//! names the product and version. Cross-building from Linux uses mingw's
//! `x86_64-w64-mingw32-windres`; other targets need nothing and do nothing.
//!
//! The target is read from `CARGO_CFG_TARGET_OS` (the build script itself always runs on
//! the host, so `cfg!(windows)` would describe the wrong machine).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let mut resource = winresource::WindowsResource::new();
    resource
        .set_icon("assets/icon.ico")
        .set("ProductName", "Cutover Log")
        .set("FileDescription", "Cutover Log")
        .set("InternalName", "cutover-log")
        .set("OriginalFilename", "cutover-log.exe")
        .set("FileVersion", &version)
        .set("ProductVersion", &version)
        .set(
            "Comments",
            "Cutover period log and re-entry worklist for GP practices",
        )
        // English (United Kingdom).
        .set_language(0x0809);
    if let Err(e) = resource.compile() {
        // A Windows build without its resources would still run, but nobody would notice the
        // missing icon: stop, and say what is needed.
        panic!(
            "could not compile the Windows resources (icon, version) with windres: {e}; \
             cross-building from Linux needs mingw: apt-get install gcc-mingw-w64-x86-64"
        );
    }
}
