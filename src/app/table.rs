//! Tables a person can read: resizable columns, a key cell that names the entity shortly (its account beside
//! it) with the full ARN on hover and in a Copy menu, links to the entity, and multi-line cells shown whole
//! (one line each, the row as tall as its tallest cell).

use super::{Command, View};
use crate::account::EntityRef;
use eframe::egui;
use egui_extras::{Column, TableBuilder};

/// One cell.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    /// What is shown; `\n` separates lines.
    pub text: String,
    /// A second, weak text after it (the account of a principal).
    pub weak: String,
    /// Shown on hover (the full ARN); also what "Copy" copies when set.
    pub full: Option<String>,
    /// Clicking the text shows this entity.
    pub link: Option<EntityRef>,
    /// A colour for the text.
    pub color: Option<egui::Color32>,
}

impl Cell {
    /// A plain cell.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    /// Lines shown one under the other.
    pub fn lines(lines: &[String]) -> Cell {
        Cell::text(lines.join("\n"))
    }

    fn line_count(&self) -> usize {
        self.text.lines().count().max(1)
    }
}

/// The short name of an ARN for a table: the last part of its resource (`maria.silva` for
/// `arn:aws:iam::412345678901:user/maria.silva`, `bucket/key` kept whole for S3), or the text itself.
pub fn short_arn(arn: &str) -> &str {
    let Some(crate::arn::Arn {
        service, resource, ..
    }) = crate::arn::Arn::parse(arn)
    else {
        return arn;
    };
    if service == "s3" || resource.is_empty() {
        return if resource.is_empty() { arn } else { resource };
    }
    resource
        .rsplit(['/', ':'])
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or(resource)
}

/// Text order with runs of digits compared as numbers: `role-2` before `role-10`.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (Some(ca), Some(cb)) = (a.chars().next(), b.chars().next()) else {
            return a.len().cmp(&b.len());
        };
        if ca.is_ascii_digit() && cb.is_ascii_digit() {
            let da = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
            let db = b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len());
            let (na, ra) = a.split_at(da);
            let (nb, rb) = b.split_at(db);
            let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
            let o = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
            if o != std::cmp::Ordering::Equal {
                return o;
            }
            a = ra;
            b = rb;
        } else {
            if ca != cb {
                return ca.cmp(&cb);
            }
            a = a.get(ca.len_utf8()..).unwrap_or_default();
            b = b.get(cb.len_utf8()..).unwrap_or_default();
        }
    }
}

/// Sort state: column and descending.
pub type Sort = (usize, bool);

/// Line height of table text.
const LINE: f32 = 18.0;

/// A sortable table (a header click sorts on that column, again reverses) with resizable columns of the given
/// initial widths (the last column takes the rest).
pub fn table(
    ui: &mut egui::Ui,
    id: &str,
    headers: &[(&str, f32)],
    rows: &[Vec<Cell>],
    sort: &mut Sort,
    commands: &mut Vec<Command>,
) {
    let n = headers.len();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let (col, desc) = *sort;
    let key = |r: usize| {
        rows.get(r)
            .and_then(|cells| cells.get(col))
            .map(|c| c.text.to_lowercase())
            .unwrap_or_default()
    };
    let keys: Vec<String> = (0..rows.len()).map(key).collect();
    order.sort_by(|&a, &b| {
        natural_cmp(
            keys.get(a).map_or("", String::as_str),
            keys.get(b).map_or("", String::as_str),
        )
    });
    if desc {
        order.reverse();
    }
    let heights: Vec<f32> = order
        .iter()
        .map(|&r| {
            let lines = rows.get(r).map_or(1, |cells| {
                cells.iter().map(Cell::line_count).max().unwrap_or(1)
            });
            LINE * lines as f32 + 4.0
        })
        .collect();
    let mut clicked = None;
    let room = ui.available_width() - 180.0;
    let mut builder = TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .resizable(true)
        .auto_shrink([false, true])
        .cell_layout(egui::Layout::left_to_right(egui::Align::Min));
    // The initial widths shrink to leave the last column room when the panel is narrow.
    let fixed: f32 = headers
        .iter()
        .take(n.saturating_sub(1))
        .map(|(_, w)| *w)
        .sum();
    let scale = if fixed > room && fixed > 0.0 {
        (room / fixed).max(0.3)
    } else {
        1.0
    };
    for (i, (_, w)) in headers.iter().enumerate() {
        builder = if i + 1 == n {
            builder.column(Column::remainder().at_least(80.0).clip(true))
        } else {
            builder.column(
                Column::initial(*w * scale)
                    .at_least(40.0)
                    .resizable(true)
                    .clip(true),
            )
        };
    }
    builder
        .header(22.0, |mut h| {
            for (i, (t, _)) in headers.iter().enumerate() {
                h.col(|ui| {
                    let arrow = match (col == i, desc) {
                        (true, false) => " ^",
                        (true, true) => " v",
                        _ => "",
                    };
                    if ui
                        .button(format!("{t}{arrow}"))
                        .on_hover_text("Sort by this column; drag the header's edge to resize")
                        .clicked()
                    {
                        clicked = Some(i);
                    }
                });
            }
        })
        .body(|body| {
            body.heterogeneous_rows(heights.into_iter(), |mut row| {
                let Some(cells) = order.get(row.index()).and_then(|&r| rows.get(r)) else {
                    return;
                };
                for c in 0..n {
                    row.col(|ui| {
                        if let Some(cell) = cells.get(c) {
                            cell_ui(ui, cell, commands);
                        }
                    });
                }
            });
        });
    if let Some(i) = clicked {
        *sort = if sort.0 == i {
            (i, !sort.1)
        } else {
            (i, false)
        };
    }
}

fn cell_ui(ui: &mut egui::Ui, cell: &Cell, commands: &mut Vec<Command>) {
    let mut text = egui::RichText::new(&cell.text);
    if let Some(c) = cell.color {
        text = text.color(c);
    }
    let r = match cell.link {
        Some(_) => ui.add(egui::Link::new(text)),
        None => ui.add(egui::Label::new(text).wrap_mode(egui::TextWrapMode::Extend)),
    };
    if !cell.weak.is_empty() {
        ui.weak(&cell.weak);
    }
    let r = match &cell.full {
        Some(full) => r.on_hover_text(full.as_str()),
        None if cell.link.is_some() => r.on_hover_text("Show its details"),
        None => r,
    };
    if let Some(e) = cell.link
        && r.clicked()
    {
        commands.push(Command::Select(e));
        commands.push(Command::SetView(View::Explorer));
    }
    let copy = cell.full.clone().unwrap_or_else(|| cell.text.clone());
    let link = cell.link;
    r.context_menu(|ui| {
        if ui.button("Copy").clicked() {
            ui.ctx().copy_text(copy.clone());
            ui.close();
        }
        if let Some(e) = link
            && ui.button("Show its details").clicked()
        {
            commands.push(Command::Select(e));
            commands.push(Command::SetView(View::Explorer));
            ui.close();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_numbers() {
        let mut v = vec!["role-10", "role-2", "role-1", "alpha", "role-02b"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["alpha", "role-1", "role-2", "role-02b", "role-10"]);
    }

    #[test]
    fn short_names_of_arns() {
        assert_eq!(
            short_arn("arn:aws:iam::412345678901:user/maria.silva"),
            "maria.silva"
        );
        assert_eq!(
            short_arn("arn:aws:iam::412345678901:role/data/etl-batch"),
            "etl-batch"
        );
        assert_eq!(
            short_arn("arn:aws:s3:::larkspur-prod-data/uploads/x.json"),
            "larkspur-prod-data/uploads/x.json"
        );
        assert_eq!(short_arn("arn:aws:iam::412345678901:root"), "root");
        assert_eq!(
            short_arn("arn:aws:lambda:eu-west-1:412345678901:function:deploy"),
            "deploy"
        );
        assert_eq!(short_arn("*"), "*");
        assert_eq!(
            short_arn("service ec2.amazonaws.com"),
            "service ec2.amazonaws.com"
        );
    }
}
