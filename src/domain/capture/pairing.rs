//! Which report row is which hand-logged item: a one-to-one pairing by the best
//! fit, never by file order.
//!
//! A row and an item can be the same event only by [`same_event`] (patient,
//! kind, time window, key field). Among those, the fit is scored over every
//! other field both give (status, clinician or prescriber, issue type,
//! quantity, slot type, times…): a field that agrees counts for, one that
//! differs against, and for kinds matched by time the nearer minute breaks a
//! tie. The pairing takes, within each group of rows and items that could be
//! one another, first as many pairs as possible (every hand-logged item the
//! report confirms is one fewer item keyed twice), then the best total fit.
//!
//! A group whose best pairing is not clearly better than another that states
//! different facts (a tie or a near tie) is left for a person to judge, with
//! each row's candidates: nothing in it is chosen by the order of the file.
//! Rows and items that are alike in every field compared are interchangeable,
//! and swapping them is not a doubt.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::kind::FieldInput;
use crate::domain::{ItemId, ItemInput, ItemKind};

use super::matching::{Window, normalise, rule, same_event};

/// A hand-logged (or earlier captured) live item the report could confirm.
#[derive(Debug, Clone, Copy)]
pub struct LoggedItem<'a> {
    pub id: ItemId,
    pub input: &'a ItemInput,
}

/// What the pairing says of one report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowPairing {
    /// The hand log missed it.
    Missed,
    /// It is this logged item, clearly.
    Logged(ItemId),
    /// It could be any of these items, or missed: a person judges (best fit
    /// first; the pairing's own suggestion is `suggested`).
    ToJudge {
        candidates: Vec<ItemId>,
        suggested: Option<ItemId>,
    },
}

/// A person's answer for a row left to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Judged {
    /// The row is this logged item.
    Item(ItemId),
    /// The hand log missed it: add it.
    Missed,
}

/// How well a row fits an item: more is better. `None`: not the same event.
pub fn fit_score(logged: &ItemInput, row: &ItemInput) -> Option<i64> {
    if !same_event(logged, row) {
        return None;
    }
    let key = rule(row.kind).key;
    let mut score = 0;
    for spec in row.kind.fields() {
        if matches!(spec.input, FieldInput::LongText) || Some(spec.key) == key {
            continue;
        }
        if let (Some(a), Some(b)) = (logged.fields.get(spec.key), row.fields.get(spec.key))
            && !a.trim().is_empty()
            && !b.trim().is_empty()
        {
            score += if same_value(spec.key, a, b) {
                AGREES
            } else {
                -AGREES
            };
        }
    }
    if let (Some(a), Some(b)) = (logged.clinician, row.clinician) {
        score += if a == b { AGREES } else { -AGREES };
    }
    if let Window::Minutes(m) = rule(row.kind).window {
        // Nearer in time is better, by less than any field.
        let apart = (logged.occurred_at - row.occurred_at).num_minutes().abs();
        score -= apart.min(m) * NEAR_TIE / (m + 1);
    }
    Some(score)
}

/// Whether a field's two values say the same: compared as [`normalise`] does,
/// a quantity by its number ("28 tablets" is "28").
fn same_value(key: &str, a: &str, b: &str) -> bool {
    if key == "quantity" {
        let number = |s: &str| {
            s.trim()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<String>()
        };
        let (x, y) = (number(a), number(b));
        if !x.is_empty() && !y.is_empty() {
            return x == y;
        }
    }
    normalise(key, a) == normalise(key, b)
}

/// One field agreeing (or, negated, differing).
const AGREES: i64 = 100;
/// Two pairings whose totals are this close state a near tie.
const NEAR_TIE: i64 = 60;
/// A pair is worth more than any fit, so the pairing keeps every pair it can.
const PAIR: i64 = 1_000_000;
/// Largest group solved exactly; a larger one (one patient with hundreds of
/// alike items the same day) is all left to judge.
const MAX_GROUP: usize = 60;

/// Pairs the report's rows with the logged items, one to one, by best fit.
/// Returns one [`RowPairing`] per row, in the rows' order.
pub fn pair(rows: &[&ItemInput], items: &[LoggedItem<'_>]) -> Vec<RowPairing> {
    let mut out = vec![RowPairing::Missed; rows.len()];
    // Candidate items per row, by patient and kind (what same_event needs first).
    let mut by_patient: HashMap<(ItemKind, String), Vec<usize>> = HashMap::new();
    for (n, item) in items.iter().enumerate() {
        by_patient
            .entry(patient_key(item.input))
            .or_default()
            .push(n);
    }
    let mut edges: Vec<Vec<(usize, i64)>> = vec![Vec::new(); rows.len()];
    for (r, row) in rows.iter().enumerate() {
        for &i in by_patient.get(&patient_key(row)).into_iter().flatten() {
            if let Some(s) = fit_score(items[i].input, row) {
                edges[r].push((i, s));
            }
        }
    }
    for (group_rows, group_items) in groups(&edges, items.len()) {
        solve_group(&group_rows, &group_items, &edges, rows, items, &mut out);
    }
    out
}

fn patient_key(input: &ItemInput) -> (ItemKind, String) {
    let p = &input.patient;
    let who = match p.nhs_number {
        Some(n) => n.digits(),
        None => format!(
            "{}|{}",
            normalise("", &p.name),
            p.date_of_birth.map(|d| d.to_string()).unwrap_or_default()
        ),
    };
    (input.kind, who)
}

/// The connected groups of rows and items that could be one another.
fn groups(edges: &[Vec<(usize, i64)>], items: usize) -> Vec<(Vec<usize>, Vec<usize>)> {
    let mut item_rows: Vec<Vec<usize>> = vec![Vec::new(); items];
    for (r, e) in edges.iter().enumerate() {
        for &(i, _) in e {
            item_rows[i].push(r);
        }
    }
    let mut row_seen = vec![false; edges.len()];
    let mut item_seen = vec![false; items];
    let mut out = Vec::new();
    for start in 0..edges.len() {
        if row_seen[start] || edges[start].is_empty() {
            continue;
        }
        let (mut gr, mut gi) = (Vec::new(), Vec::new());
        let mut stack = vec![start];
        row_seen[start] = true;
        while let Some(r) = stack.pop() {
            gr.push(r);
            for &(i, _) in &edges[r] {
                if !item_seen[i] {
                    item_seen[i] = true;
                    gi.push(i);
                    for &r2 in &item_rows[i] {
                        if !row_seen[r2] {
                            row_seen[r2] = true;
                            stack.push(r2);
                        }
                    }
                }
            }
        }
        gr.sort_unstable();
        gi.sort_unstable();
        out.push((gr, gi));
    }
    out
}

/// What makes two rows (or two items) interchangeable: every field compared.
fn likeness(input: &ItemInput) -> String {
    let mut s = format!("{}|{:?}", input.occurred_at, input.clinician);
    for (k, v) in &input.fields {
        if input
            .kind
            .fields()
            .iter()
            .any(|f| f.key == k && !matches!(f.input, FieldInput::LongText))
        {
            s.push('|');
            s.push_str(k);
            s.push('=');
            s.push_str(&normalise(k, v));
        }
    }
    s
}

fn solve_group(
    group_rows: &[usize],
    group_items: &[usize],
    edges: &[Vec<(usize, i64)>],
    rows: &[&ItemInput],
    items: &[LoggedItem<'_>],
    out: &mut [RowPairing],
) {
    let local_item: HashMap<usize, usize> = group_items
        .iter()
        .enumerate()
        .map(|(n, &i)| (i, n))
        .collect();
    // weight[r][i]: PAIR + fit, or None where they cannot be the same event.
    let weight: Vec<Vec<Option<i64>>> = group_rows
        .iter()
        .map(|&r| {
            let mut w = vec![None; group_items.len()];
            for &(i, s) in &edges[r] {
                w[local_item[&i]] = Some(PAIR + s);
            }
            w
        })
        .collect();
    let candidates = |r: usize| -> Vec<ItemId> {
        let mut c: Vec<(i64, ItemId)> = edges[group_rows[r]]
            .iter()
            .map(|&(i, s)| (s, items[i].id))
            .collect();
        c.sort_by_key(|&(s, id)| (std::cmp::Reverse(s), id));
        c.into_iter().map(|(_, id)| id).collect()
    };
    // One row that can be one item and nothing else: no other pairing exists
    // to come close (most groups of a report are this).
    if let ([row], [item]) = (group_rows, group_items) {
        out[*row] = RowPairing::Logged(items[*item].id);
        return;
    }
    if group_rows.len() > MAX_GROUP || group_items.len() > MAX_GROUP {
        for (r, &row) in group_rows.iter().enumerate() {
            out[row] = RowPairing::ToJudge {
                candidates: candidates(r),
                suggested: None,
            };
        }
        return;
    }
    let (best, assignment) = best_assignment(&weight);
    // A near tie: forbid each pair in turn, together with every pair of a row
    // alike to its row and an item alike to its item (a swap of alikes states
    // the same facts), and see whether another pairing comes as close.
    let row_like: Vec<String> = group_rows.iter().map(|&r| likeness(rows[r])).collect();
    let item_like: Vec<String> = group_items
        .iter()
        .map(|&i| likeness(items[i].input))
        .collect();
    let mut doubtful = false;
    for (r, paired) in assignment.iter().enumerate() {
        let Some(i) = *paired else { continue };
        let mut without = weight.clone();
        for (r2, w_row) in without.iter_mut().enumerate() {
            if row_like[r2] != row_like[r] {
                continue;
            }
            for (i2, w) in w_row.iter_mut().enumerate() {
                if item_like[i2] == item_like[i] {
                    *w = None;
                }
            }
        }
        let (other, _) = best_assignment(&without);
        if other >= best - NEAR_TIE {
            doubtful = true;
            break;
        }
    }
    for (r, &row) in group_rows.iter().enumerate() {
        let suggested = assignment[r].map(|i| items[group_items[i]].id);
        out[row] = if doubtful {
            RowPairing::ToJudge {
                candidates: candidates(r),
                suggested,
            }
        } else {
            match suggested {
                Some(id) => RowPairing::Logged(id),
                None => RowPairing::Missed,
            }
        };
    }
}

/// The maximum-weight matching of a small bipartite group (rows × items;
/// `None` = no edge), by the Hungarian method on a square matrix where "no
/// pair" weighs 0. Returns the total and each row's item.
fn best_assignment(weight: &[Vec<Option<i64>>]) -> (i64, Vec<Option<usize>>) {
    let rows = weight.len();
    let cols = weight.first().map_or(0, Vec::len);
    let n = rows.max(cols);
    if n == 0 {
        return (0, Vec::new());
    }
    // Costs to minimise: the negated weight; an absent pair costs 0.
    let cost = |r: usize, c: usize| -> i64 {
        if r < rows && c < cols {
            weight[r][c].map_or(0, |w| -w)
        } else {
            0
        }
    };
    // The classic O(n³) potentials method (1-based, column 0 a sentinel).
    let inf = i64::MAX / 4;
    let mut u = vec![0i64; n + 1];
    let mut v = vec![0i64; n + 1];
    let mut p = vec![0usize; n + 1];
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut assignment = vec![None; rows];
    let mut total = 0;
    for (j, &pj) in p.iter().enumerate().skip(1) {
        let (r, c) = (pj - 1, j - 1);
        if r < rows
            && c < cols
            && let Some(w) = weight[r][c]
        {
            assignment[r] = Some(c);
            total += w;
        }
    }
    (total, assignment)
}

#[cfg(test)]
mod tests;
