use proptest::prelude::*;

use super::*;
use crate::domain::StaffId;
use crate::domain::item::test_input as input;

const SLOT: &str = "2026-12-07T10:30";

fn appointment(action: &str, slot_type: &str, clinician: i64) -> ItemInput {
    let mut i = input(
        ItemKind::Appointment,
        "9990000018",
        "2026-12-05T09:00",
        &[
            ("appointment_at", SLOT),
            ("appointment_action", action),
            ("slot_type", slot_type),
        ],
    );
    i.clinician = Some(StaffId(clinician));
    i
}

fn prescription(nhs: &str, prescriber: i64, quantity: &str, kind: &str) -> ItemInput {
    let mut i = input(
        ItemKind::Prescription,
        nhs,
        "2026-12-07T00:00",
        &[
            ("medication", "Amlodipine 5mg tablets"),
            ("quantity", quantity),
            ("prescription_type", kind),
        ],
    );
    i.clinician = Some(StaffId(prescriber));
    i
}

fn logged(items: &[ItemInput]) -> Vec<LoggedItem<'_>> {
    items
        .iter()
        .enumerate()
        .map(|(n, input)| LoggedItem {
            id: ItemId(n as i64 + 1),
            input,
        })
        .collect()
}

#[test]
fn a_cancel_and_rebook_of_one_slot_pairs_the_cancellation_with_the_cancellation() {
    let items = [appointment("cancelled", "Telephone", 1)];
    let booked = appointment("booked", "Nurse 20 min", 2);
    let cancelled = appointment("cancelled", "Telephone", 1);
    for rows in [vec![&booked, &cancelled], vec![&cancelled, &booked]] {
        let got = pair(&rows, &logged(&items));
        let which: Vec<_> = rows
            .iter()
            .zip(&got)
            .map(|(r, p)| (r.fields["appointment_action"].as_str(), p.clone()))
            .collect();
        assert!(which.contains(&("booked", RowPairing::Missed)), "{which:?}");
        assert!(
            which.contains(&("cancelled", RowPairing::Logged(ItemId(1)))),
            "{which:?}"
        );
    }
}

#[test]
fn the_same_drug_twice_a_day_by_two_prescribers_pairs_each_with_its_own() {
    let items = [
        prescription("9990000018", 1, "28 tablets", "acute"),
        prescription("9990000018", 2, "56", "repeat"),
    ];
    let rows = [
        prescription("9990000018", 2, "56 tablets", "repeat"),
        prescription("9990000018", 1, "28", "acute"),
    ];
    let got = pair(&[&rows[0], &rows[1]], &logged(&items));
    assert_eq!(
        got,
        vec![RowPairing::Logged(ItemId(2)), RowPairing::Logged(ItemId(1))]
    );
}

#[test]
fn a_tie_is_left_to_judge_with_both_candidates_and_never_taken_by_file_order() {
    // Booked by Dr 1: one row is booked by Dr 2, the other cancelled by Dr 1.
    let items = [appointment("booked", "", 1)];
    let a = appointment("booked", "", 2);
    let b = appointment("cancelled", "", 1);
    let got = pair(&[&a, &b], &logged(&items));
    for p in &got {
        match p {
            RowPairing::ToJudge { candidates, .. } => assert_eq!(candidates, &[ItemId(1)]),
            other => panic!("expected to judge, got {other:?}"),
        }
    }
}

#[test]
fn alike_rows_and_items_pair_one_to_one_without_a_doubt() {
    let items = [
        prescription("9990000018", 1, "28", "acute"),
        prescription("9990000018", 1, "28", "acute"),
    ];
    let rows = [
        prescription("9990000018", 1, "28", "acute"),
        prescription("9990000018", 1, "28", "acute"),
        prescription("9990000018", 1, "28", "acute"),
    ];
    let got = pair(&[&rows[0], &rows[1], &rows[2]], &logged(&items));
    let mut ids: Vec<_> = got
        .iter()
        .filter_map(|p| match p {
            RowPairing::Logged(id) => Some(*id),
            _ => None,
        })
        .collect();
    ids.sort();
    assert_eq!(ids, vec![ItemId(1), ItemId(2)], "{got:?}");
    assert_eq!(got.iter().filter(|p| **p == RowPairing::Missed).count(), 1);
}

#[test]
fn consultations_pair_by_the_nearer_time_and_a_close_call_is_judged() {
    let at = |t: &str| input(ItemKind::Consultation, "9990000018", t, &[]);
    let items = [at("2026-12-07T10:02"), at("2026-12-07T10:41")];
    let (r1, r2) = (at("2026-12-07T10:40"), at("2026-12-07T10:00"));
    assert_eq!(
        pair(&[&r1, &r2], &logged(&items)),
        vec![RowPairing::Logged(ItemId(2)), RowPairing::Logged(ItemId(1))]
    );
    let items = [at("2026-12-07T10:05"), at("2026-12-07T10:15")];
    let (r1, r2) = (at("2026-12-07T10:00"), at("2026-12-07T10:20"));
    assert!(
        pair(&[&r1, &r2], &logged(&items))
            .iter()
            .all(|p| matches!(p, RowPairing::ToJudge { .. })),
        "ten minutes either way is a person's call"
    );
}

// ---- properties, against answers known without the pairing's code ----

/// One event of a small world: a patient (of two) and the fields a report gives.
#[derive(Debug, Clone)]
struct Event {
    patient: usize,
    prescriber: i64,
    quantity: u8,
    repeat: bool,
}

fn event_input(e: &Event) -> ItemInput {
    let nhs = ["9990000018", "9990000026"][e.patient];
    prescription(
        nhs,
        e.prescriber,
        &format!("{} tablets", e.quantity),
        if e.repeat { "repeat" } else { "acute" },
    )
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    prop::collection::vec(
        (
            0..2usize,
            1..4i64,
            prop::sample::select(vec![28u8, 56]),
            any::<bool>(),
        )
            .prop_map(|(patient, prescriber, quantity, repeat)| Event {
                patient,
                prescriber,
                quantity,
                repeat,
            }),
        1..8,
    )
}

/// Every pairing's items, each at most once; rows and suggestions included.
fn assert_one_to_one(got: &[RowPairing]) {
    let mut seen = std::collections::HashSet::new();
    for p in got {
        let id = match p {
            RowPairing::Logged(id) => Some(*id),
            RowPairing::ToJudge { suggested, .. } => *suggested,
            RowPairing::Missed => None,
        };
        if let Some(id) = id {
            assert!(seen.insert(id), "item {id:?} paired twice: {got:?}");
        }
    }
}

proptest! {
    /// A hand log that is a true copy of some of the report's events: each of
    /// its items is confirmed by a row stating exactly the same facts, every
    /// other row is missed, and nothing is left to judge.
    #[test]
    fn an_exact_hand_log_is_found_whatever_the_order(
        events in events(),
        logged_mask in prop::collection::vec(any::<bool>(), 8),
        order in any::<u64>(),
    ) {
        let hand: Vec<ItemInput> = events
            .iter()
            .zip(&logged_mask)
            .filter(|(_, l)| **l)
            .map(|(e, _)| event_input(e))
            .collect();
        let mut rows: Vec<ItemInput> = events.iter().map(event_input).collect();
        // The report's own order, unrelated to the hand log's.
        let n = rows.len();
        for k in 0..n {
            let j = ((order >> (k % 60)) as usize + k * 7) % n;
            rows.swap(k, j);
        }
        let items = logged(&hand);
        let got = pair(&rows.iter().collect::<Vec<_>>(), &items);
        assert_one_to_one(&got);
        let mut confirmed = 0;
        for (row, p) in rows.iter().zip(&got) {
            match p {
                RowPairing::Logged(id) => {
                    confirmed += 1;
                    let item = &hand[(id.0 - 1) as usize];
                    prop_assert_eq!(likeness(item), likeness(row));
                }
                RowPairing::Missed => {}
                RowPairing::ToJudge { .. } => prop_assert!(false, "judge asked: {got:?}"),
            }
        }
        prop_assert_eq!(confirmed, hand.len());
    }

    /// Any hand log against any report: one to one, as many pairs as can be
    /// made, and the best total fit, as an exhaustive search finds them; and no
    /// row is paired with an item while a free item fits it better.
    #[test]
    fn any_pairing_is_one_to_one_complete_and_best(
        report in events(),
        hand in events(),
    ) {
        let rows: Vec<ItemInput> = report.iter().map(event_input).collect();
        let hand: Vec<ItemInput> = hand.iter().map(event_input).collect();
        let items = logged(&hand);
        let got = pair(&rows.iter().collect::<Vec<_>>(), &items);
        assert_one_to_one(&got);
        let chosen: Vec<Option<usize>> = got
            .iter()
            .map(|p| match p {
                RowPairing::Logged(id) => Some((id.0 - 1) as usize),
                RowPairing::ToJudge { suggested, .. } => suggested.map(|id| (id.0 - 1) as usize),
                RowPairing::Missed => None,
            })
            .collect();
        let score = |r: usize, i: usize| fit_score(&hand[i], &rows[r]);
        let total = |c: &[Option<usize>]| -> (usize, i64) {
            c.iter().enumerate().fold((0, 0), |(n, s), (r, i)| match i {
                Some(i) => (n + 1, s + score(r, *i).unwrap_or(i64::MIN / 1024)),
                None => (n, s),
            })
        };
        let best = exhaustive(rows.len(), hand.len(), &score);
        prop_assert_eq!(total(&chosen), best);
        let used: std::collections::HashSet<usize> = chosen.iter().flatten().copied().collect();
        for (r, c) in chosen.iter().enumerate() {
            if let Some(i) = c {
                let mine = score(r, *i).unwrap_or(i64::MIN);
                for j in (0..hand.len()).filter(|j| !used.contains(j)) {
                    if let Some(s) = score(r, j) {
                        prop_assert!(s <= mine, "row {} paired with {} though free {} fits better", r, i, j);
                    }
                }
            }
        }
    }
}

/// The best (pairs, total fit) over every one-to-one pairing, by trying them all.
fn exhaustive(
    rows: usize,
    items: usize,
    score: &dyn Fn(usize, usize) -> Option<i64>,
) -> (usize, i64) {
    fn go(
        r: usize,
        rows: usize,
        used: &mut Vec<bool>,
        score: &dyn Fn(usize, usize) -> Option<i64>,
    ) -> (usize, i64) {
        if r == rows {
            return (0, 0);
        }
        let mut best = go(r + 1, rows, used, score);
        for i in 0..used.len() {
            if used[i] {
                continue;
            }
            if let Some(s) = score(r, i) {
                used[i] = true;
                let (n, t) = go(r + 1, rows, used, score);
                used[i] = false;
                best = best.max((n + 1, t + s));
            }
        }
        best
    }
    go(0, rows, &mut vec![false; items], score)
}
