//! Embed mode's address and its `postMessage` protocol, natively: what a player's query asks
//! for (and what it cannot read, named), and the commands messages carry; messages of another
//! version or not for ecsplay are ignored.

use ecsplay::ui::model::embed::{self, Command, Panel, Theme, PROTOCOL_VERSION};
use serde_json::json;

#[test]
fn a_players_address_says_what_it_shows_and_names_what_it_cannot_read() {
    let o = embed::options(
        "?embed=1&scenario=rolling-update&autoplay=1&speed=100&panels=map&theme=dark&origin=https%3A%2F%2Fdocs.example.com",
    );
    assert!(o.embed && o.autoplay);
    assert_eq!(o.scenario.as_deref(), Some("rolling-update"));
    assert_eq!(o.speed, Some(100));
    assert_eq!(o.panels, vec![Panel::Map]);
    assert_eq!(o.theme, Theme::Dark);
    assert_eq!(o.origin.as_deref(), Some("https://docs.example.com"));
    assert!(o.problems.is_empty(), "{:?}", o.problems);

    let carded = embed::options("embed=1&card=draining");
    assert_eq!(carded.card, ecsplay::ui::model::cards::index_of("draining"));
    assert!(carded.card.is_some());
    assert!(carded.problems.is_empty(), "{:?}", carded.problems);

    let plain = embed::options("");
    assert!(!plain.embed);
    assert_eq!(plain.panels, vec![Panel::Map, Panel::Charts]);
    assert_eq!(plain.theme, Theme::System);

    let odd = embed::options("embed=1&speed=7&panels=map,log&theme=blue&card=x&zoom=2&x=%E9%");
    assert_eq!(odd.speed, None);
    assert_eq!(odd.problems.len(), 6, "{:?}", odd.problems);
    assert!(odd.problems[0].contains("1, 10, 100 and 1000"));
    assert!(odd.problems[1].contains("\"log\" is not a panel"));
    assert!(odd.problems[3].contains("card=x: not a scenario card (the cards: circuit-breaker,"));
    assert!(odd.problems[4].starts_with("zoom: not a parameter"));
}

#[test]
fn messages_carry_commands_and_other_versions_are_ignored() {
    let m = |v: serde_json::Value| embed::command(&v);
    assert_eq!(
        m(json!({ "ecsplay": 1, "type": "play" })),
        Some(Ok(Command::Play))
    );
    assert_eq!(
        m(json!({ "ecsplay": 1, "type": "seek", "timeMs": 300000 })),
        Some(Ok(Command::Seek(300_000)))
    );
    assert_eq!(
        m(json!({ "ecsplay": 1, "type": "setSpeed", "speed": 1000 })),
        Some(Ok(Command::SetSpeed(1000)))
    );
    assert_eq!(
        m(json!({ "ecsplay": 1, "type": "load", "scenario": "constraints" })),
        Some(Ok(Command::Load("constraints".into())))
    );
    let apply = json!({ "ecsplay": 1, "type": "apply", "action": "ecs:UpdateService", "input": { "service": "web", "desiredCount": 4 } });
    assert_eq!(
        m(apply),
        Some(Ok(Command::Apply {
            action: "ecs:UpdateService".into(),
            input: json!({ "service": "web", "desiredCount": 4 })
        }))
    );
    // Malformed ecsplay messages are answered with why.
    for bad in [
        json!({ "ecsplay": 1, "type": "seek" }),
        json!({ "ecsplay": 1, "type": "setSpeed", "speed": 3 }),
        json!({ "ecsplay": 1, "type": "apply", "action": "ecs:UpdateService" }),
        json!({ "ecsplay": 1, "type": "load" }),
    ] {
        assert!(matches!(m(bad.clone()), Some(Err(_))), "{bad}");
    }
    // Not ecsplay's, another version, or a type this version does not know: ignored.
    for ignored in [
        json!("hello"),
        json!({ "type": "play" }),
        json!({ "ecsplay": 2, "type": "play" }),
        json!({ "ecsplay": 1, "type": "rewind" }),
    ] {
        assert_eq!(m(ignored.clone()), None, "{ignored}");
    }
    let tick = embed::message("tick", json!({ "timeMs": 5 }));
    assert_eq!(
        tick,
        json!({ "ecsplay": PROTOCOL_VERSION, "type": "tick", "timeMs": 5 })
    );
}
