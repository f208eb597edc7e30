//! Form fields read through their node refs, and the value a field starts with.
//!
//! Yew 0.23 treats a `value` written in `html!` as the field's value on every render and puts
//! it back whenever the field differs; the panels re-render every frame while the simulation
//! plays, so a field written that way would throw away what a person is typing. Fields are
//! given their starting value by [`use_field_value`] instead and are theirs to edit after.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

pub fn select_value(node: &NodeRef) -> String {
    node.cast::<HtmlSelectElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// Whether a checkbox is ticked.
pub fn checked(node: &NodeRef) -> bool {
    node.cast::<HtmlInputElement>().is_some_and(|i| i.checked())
}

/// The zones (letters) whose checkboxes are ticked, in order.
pub fn checked_zones(zones: &[(char, NodeRef)]) -> Vec<char> {
    zones
        .iter()
        .filter(|(_, r)| checked(r))
        .map(|(z, _)| *z)
        .collect()
}

pub fn input_value(node: &NodeRef) -> String {
    node.cast::<HtmlInputElement>()
        .map(|s| s.value())
        .unwrap_or_default()
}

/// The attribute that remembers the value a field was last given, so it is given again only
/// when that changes or the element is new (Yew may build a field afresh when what is around
/// it changes).
const GIVEN: &str = "data-given-value";

fn give(node: &NodeRef, value: &str) {
    if let Some(input) = node.cast::<HtmlInputElement>() {
        if input.get_attribute(GIVEN).as_deref() != Some(value) {
            input.set_value(value);
            // Setting a data attribute on an input element cannot fail.
            let _ = input.set_attribute(GIVEN, value);
        }
    }
}

/// Gives the input behind `node` the text `value` when it appears and when `value` itself
/// changes (a service's desired count, a target's registered bounds), and leaves it as the
/// person typed it otherwise.
#[hook]
pub fn use_field_value(node: &NodeRef, value: String) {
    let node = node.clone();
    use_effect(move || give(&node, &value));
}

/// [`use_field_value`] for several fields with fixed starting values.
#[hook]
pub fn use_field_defaults(fields: &[(NodeRef, &'static str)]) {
    let fields = fields.to_vec();
    use_effect(move || {
        for (node, value) in &fields {
            give(node, value);
        }
    });
}
