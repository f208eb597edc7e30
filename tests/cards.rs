//! A card cannot lie: each card's scenario runs natively to the card's moment, its right
//! answer's claim holds in the simulation's own output and every other answer's does not, and
//! the moment that reveals it comes.

use ecsplay::scenario::presets::preset;
use ecsplay::ui::model::cards::{self, holds, revealed_at};
use ecsplay::world::World;

#[test]
fn every_cards_right_answer_holds_and_the_others_do_not() {
    let all = cards::cards();
    assert!(all.len() >= 3);
    for card in &all {
        let scenario = preset(&card.scenario).unwrap();
        let mut world = World::from_scenario(&scenario);
        while world.now() < card.check_at_ms {
            world.advance_to(card.check_at_ms);
        }
        for (n, answer) in card.answers.iter().enumerate() {
            assert_eq!(
                holds(&answer.claim, &world),
                n == card.correct,
                "card {}: answer {n} ({})",
                card.id,
                answer.text
            );
        }
        let at = revealed_at(card, &world)
            .unwrap_or_else(|| panic!("card {}: the moment never came", card.id));
        assert!(at <= card.check_at_ms, "card {}", card.id);
        assert!(card
            .documentation
            .starts_with("https://docs.aws.amazon.com/"));
    }
}

#[test]
fn a_card_that_does_not_read_says_why() {
    let good = cards::CARDS[0];
    assert!(cards::parse(good).is_ok());
    let two_answers = {
        let mut v: serde_json::Value = serde_json::from_str(good).unwrap();
        v["answers"].as_array_mut().unwrap().truncate(2);
        v.to_string()
    };
    assert!(cards::parse(&two_answers)
        .unwrap_err()
        .contains("3 or 4 answers"));
    let unknown = good.replacen("\"title\"", "\"titel\": 1, \"title\"", 1);
    assert!(cards::parse(&unknown).unwrap_err().contains("titel"));
    let nowhere = good.replacen("\"failed-deployment\"", "\"nowhere\"", 1);
    assert!(cards::parse(&nowhere).unwrap_err().contains("not a preset"));
}
