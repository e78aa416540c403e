//! Tab and Shift+Tab go round a form's own controls: fields, then Save, then back to
//! the first field. egui's own Tab order runs through the whole window, so from a
//! form's last button it would reach the top bar (a receptionist's next Space then
//! pressed "Sign out"). A form is drawn between [`begin`] and [`end`]; the shared
//! widgets [`note`] each control they add; at the start of the next frame
//! [`steer_tab`] moves focus within the form the focused control belongs to.

use egui::{Context, Event, Id, Key, Response};

/// The forms drawn last frame, each its controls in Tab order.
#[derive(Debug, Clone, Default)]
struct Cycles {
    /// Each form's controls; the first form marked `main` takes Tab when nothing has focus.
    forms: Vec<(bool, Vec<Id>)>,
}

/// The form being drawn now, if any.
#[derive(Debug, Clone, Default)]
struct Open(Option<(bool, Vec<Id>)>);

fn drawn_id() -> Id {
    Id::unique("cutover_log::focus_cycle::drawn")
}

fn open_id() -> Id {
    Id::unique("cutover_log::focus_cycle::open")
}

/// Starts a form's cycle. `main`: the screen's main form, which Tab enters when no
/// control has focus (rather than the top bar).
pub fn begin(ctx: &Context, main: bool) {
    ctx.data_mut(|d| d.insert_temp(open_id(), Open(Some((main, Vec::new())))));
}

/// Adds a control to the form being drawn (nothing when no form is open). Disabled
/// controls are left out: they cannot take focus.
pub fn note(ui: &egui::Ui, response: &Response) {
    if !response.enabled() {
        return;
    }
    if response.gained_focus() {
        // A form taller than its room scrolls to follow the keyboard (egui
        // scrolls only for a screen reader's request).
        response.scroll_to_me(None);
    }
    ui.ctx().data_mut(|d| {
        if let Some((_, ids)) = &mut d.get_temp_mut_or_default::<Open>(open_id()).0 {
            ids.push(response.id);
        }
    });
}

/// Ends the form being drawn; its cycle steers Tab in the next frame.
pub fn end(ctx: &Context) {
    ctx.data_mut(|d| {
        if let Some(form) = d.get_temp_mut_or_default::<Open>(open_id()).0.take()
            && !form.1.is_empty()
        {
            d.get_temp_mut_or_default::<Cycles>(drawn_id())
                .forms
                .push(form);
        }
    });
}

/// At the start of a frame, before any control is drawn: a Tab or Shift+Tab from a
/// control of a form drawn last frame moves within that form, round from the last
/// control to the first (and back). Forgets last frame's forms.
pub fn steer_tab(ctx: &Context) {
    let drawn = ctx.data_mut(|d| d.remove_temp::<Cycles>(drawn_id()).unwrap_or_default());
    let focused = ctx.memory(egui::Memory::focused);
    let form = match focused {
        Some(f) => drawn.forms.iter().find(|(_, ids)| ids.contains(&f)),
        None => drawn.forms.iter().find(|(main, _)| *main),
    };
    let Some((_, ids)) = form else {
        return;
    };
    if focused.is_some() && !egui::Popup::is_any_open(ctx) {
        // egui moves focus with the arrow keys too, by position: from a form's
        // button that could reach the top bar. Inside a form only Tab moves it
        // (an open list, such as the sign-in names, still takes the arrows).
        ctx.memory_mut(|m| m.move_focus(egui::FocusDirection::None));
    }
    // (Read from the events: egui's consume_key would take Shift+Tab for Tab.)
    let tab = |e: &Event| match e {
        Event::Key {
            key: Key::Tab,
            pressed: true,
            modifiers,
            ..
        } if !modifiers.ctrl && !modifiers.alt && !modifiers.command => Some(modifiers.shift),
        _ => None,
    };
    let (forward, back) = ctx.input_mut(|i| {
        let shifts: Vec<bool> = i.events.iter().filter_map(tab).collect();
        i.events.retain(|e| tab(e).is_none());
        (shifts.contains(&false), shifts.contains(&true))
    });
    if !forward && !back {
        return;
    }
    let n = ids.len();
    let at = focused.and_then(|f| ids.iter().position(|id| *id == f));
    let next = match (at, forward) {
        (Some(i), true) => (i + 1) % n,
        (Some(i), false) => (i + n - 1) % n,
        (None, true) => 0,
        (None, false) => n - 1,
    };
    if let Some(id) = ids.get(next) {
        ctx.memory_mut(|m| {
            m.request_focus(*id);
            m.move_focus(egui::FocusDirection::None);
        });
        select_all(ctx, *id);
    }
}

/// A text box reached by Tab has all its text selected, as desktop fields do:
/// what is typed next replaces it ("19:21" then "10:15" is 10:15, not
/// "19:2110:15"). Nothing for a control that is not a text box.
fn select_all(ctx: &Context, id: Id) {
    use egui::text::{CCursor, CCursorRange};
    let Some(mut state) = egui::TextEdit::load_state(ctx, id) else {
        return;
    };
    // Past the end is the end: the box clamps the cursor to its text.
    let end = CCursor::new(usize::MAX / 2);
    state
        .cursor
        .set_char_range(Some(CCursorRange::two(CCursor::new(0), end)));
    state.store(ctx, id);
}

/// [`note`] in a chain: `ui.button("Read").in_cycle(ui).clicked()`.
pub trait InCycle {
    /// Adds this control to the form being drawn and gives it back.
    fn in_cycle(self, ui: &egui::Ui) -> Response;
}

impl InCycle for Response {
    fn in_cycle(self, ui: &egui::Ui) -> Response {
        note(ui, &self);
        self
    }
}
