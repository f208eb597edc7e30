//! Share links and scenario files, natively: a session goes into a link and comes back the same,
//! into a file that `ecsplay run` replays to the same log; a link made by an earlier build still
//! opens (a fixture); hostile links each get their own clear refusal.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ecsplay::scenario::presets::preset;
use ecsplay::scenario::run::log_lines;
use ecsplay::ui::model::editor::EXAMPLE_TASK_DEFINITION;
use ecsplay::ui::model::saved::{Saved, SAVED_FORMAT};
use ecsplay::ui::model::session::Session;
use ecsplay::ui::model::share::{
    self, ShareError, SHARE_COMPRESSED_BYTES_MAX, SHARE_DECOMPRESSED_BYTES_MAX,
};
use serde_json::json;

/// A session with requests of its own: a definition, two instances, a service, time passed.
fn worked_session() -> Session {
    let mut s = Session::new(preset("blank").unwrap());
    let definition: serde_json::Value = serde_json::from_str(EXAMPLE_TASK_DEFINITION).unwrap();
    s.request("ecs:RegisterTaskDefinition", definition).unwrap();
    let launch = ecsplay::ec2::run_instances_request(
        "m5.large",
        2,
        "us-east-1a",
        "demo",
        &Default::default(),
    );
    s.request("ec2:RunInstances", launch).unwrap();
    s.advance_by(95_000);
    s.request(
        "ecs:CreateService",
        json!({ "cluster": "demo", "serviceName": "web", "taskDefinition": "web:1", "desiredCount": 3 }),
    )
    .unwrap();
    s.advance_by(200_000);
    s
}

fn saved(s: &Session) -> Saved {
    Saved {
        format: SAVED_FORMAT,
        preset: Some("blank".into()),
        scenario: s.scenario().clone(),
        user_requests: s.user_requests(),
        time_ms: s.now(),
        editor: EXAMPLE_TASK_DEFINITION.into(),
    }
}

#[test]
fn a_session_goes_into_a_link_and_comes_back_the_same() {
    let s = worked_session();
    let link = share::encode(&saved(&s)).unwrap();
    assert!(link.starts_with("v1:"), "{link}");
    assert!(share::is_link(&format!("#{link}")));
    assert!(link[3..]
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let opened = share::decode(&format!("#{link}")).unwrap();
    assert_eq!(opened, saved(&s));
    let again = Session::restore(opened.scenario, opened.user_requests, opened.time_ms);
    assert_eq!(again.now(), s.now());
    assert_eq!(log_lines(again.world()), log_lines(s.world()));
}

#[test]
fn a_link_of_the_first_version_still_opens() {
    // Made by this build when v1 was introduced; every later build must open it as it was.
    let fixture = include_str!("fixtures/share-v1.txt").trim();
    let opened = share::decode(fixture).unwrap();
    assert_eq!(opened.user_requests, 3);
    assert_eq!(opened.time_ms, 295_000);
    let s = Session::restore(opened.scenario, opened.user_requests, opened.time_ms);
    let web = &s.world().ecs.services[0];
    assert_eq!((web.name.as_str(), web.desired_count), ("web", 3));
    assert_eq!(
        web.tasks
            .iter()
            .filter(|&&t| s.world().ecs.tasks[t].is_running())
            .count(),
        3
    );
}

#[test]
fn the_fixture_is_what_this_build_makes_of_the_same_session() {
    // If the encoding changes, v1 must still decode; a new encoding is a new version.
    let fixture = include_str!("fixtures/share-v1.txt").trim();
    let made = share::encode(&saved(&worked_session())).unwrap();
    if std::env::var_os("ECSPLAY_UPDATE_FIXTURES").is_some() {
        std::fs::write("tests/fixtures/share-v1.txt", format!("#{made}\n")).unwrap();
    }
    assert_eq!(
        share::decode(fixture).unwrap(),
        share::decode(&made).unwrap()
    );
}

#[test]
fn hostile_links_are_refused_each_with_why() {
    let link = share::encode(&saved(&worked_session())).unwrap();
    // Cut short when copied.
    let cut = &link[..link.len() / 2];
    assert!(
        matches!(share::decode(cut), Err(ShareError::Corrupt(_))),
        "{:?}",
        share::decode(cut)
    );
    // Not base64.
    assert!(matches!(
        share::decode("#v1:not*base64!"),
        Err(ShareError::Corrupt(_))
    ));
    // Another version, or no link at all.
    assert_eq!(
        share::decode("#v2:abc"),
        Err(ShareError::UnknownVersion("v2".into()))
    );
    assert_eq!(share::decode("#section-3"), Err(ShareError::NotALink));
    // A bomb: 64 MiB of zeros deflate to a few KiB, and must not be inflated past the limit.
    let zeros = vec![b' '; 64 * 1024 * 1024];
    let bomb = miniz_oxide::deflate::compress_to_vec(&zeros, 9);
    assert!(bomb.len() < SHARE_COMPRESSED_BYTES_MAX);
    let bomb = format!("#v1:{}", URL_SAFE_NO_PAD.encode(bomb));
    assert_eq!(share::decode(&bomb), Err(ShareError::TooLargeToOpen));
    // A payload longer than a link may be.
    let long = format!("#v1:{}", "A".repeat(SHARE_COMPRESSED_BYTES_MAX * 2));
    assert_eq!(share::decode(&long), Err(ShareError::TooLargeToOpen));
    // JSON that is not a session, or a session whose scenario is not one.
    let not_session = miniz_oxide::deflate::compress_to_vec(br#"{"format":1,"hello":"world"}"#, 9);
    let not_session = format!("#v1:{}", URL_SAFE_NO_PAD.encode(not_session));
    assert!(matches!(
        share::decode(&not_session),
        Err(ShareError::NotASession(_))
    ));
    let mut bad = saved(&worked_session());
    bad.scenario.format = 99;
    let bad_scenario = miniz_oxide::deflate::compress_to_vec(bad.to_json().as_bytes(), 9);
    let bad_scenario = format!("#v1:{}", URL_SAFE_NO_PAD.encode(bad_scenario));
    match share::decode(&bad_scenario) {
        Err(ShareError::NotASession(why)) => assert!(why.contains("format"), "{why}"),
        other => panic!("a session whose scenario is of format 99: {other:?}"),
    }
    // Each says so in words.
    for error in [
        ShareError::Corrupt("x".into()),
        ShareError::UnknownVersion("v2".into()),
        ShareError::TooLargeToOpen,
        ShareError::NotALink,
    ] {
        assert!(error.to_string().len() > 20, "{error}");
    }
    assert!(ShareError::TooLargeToOpen.to_string().contains(&format!(
        "{} KiB once inflated",
        SHARE_DECOMPRESSED_BYTES_MAX / 1024
    )));
}

#[test]
fn a_session_too_large_for_a_link_is_refused_before_it_is_made() {
    let s = worked_session();
    let mut big = saved(&s);
    // Text that does not compress: 300 KiB of pseudo-random letters in the editor.
    let mut x: u64 = 1;
    big.editor = (0..300 * 1024)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            char::from(b'a' + (x >> 59) as u8 % 26)
        })
        .collect();
    match share::encode(&big) {
        Err(ShareError::TooLarge { compressed }) => {
            assert!(compressed > SHARE_COMPRESSED_BYTES_MAX)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_exported_scenario_file_replays_with_ecsplay_run_to_the_same_log() {
    let s = worked_session();
    let file = share::scenario_file(&s);
    let dir = std::env::temp_dir().join(format!("ecsplay-share-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session.json");
    std::fs::write(&path, &file).unwrap();
    let until = format!("{}ms", s.now());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecsplay"))
        .args(["run", path.to_str().unwrap(), "--until", &until])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let replayed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(replayed, share::log_lines(s.world()));
    // Read back as the page reads a file: the same scenario; a broken one names the file, the
    // line and the column, as the command line does.
    assert_eq!(
        &share::read_scenario_file("session.json", &file).unwrap(),
        s.scenario()
    );
    let broken = file.replacen("\"steps\"", "\"steps\" \"", 1);
    let error = share::read_scenario_file("session.json", &broken).unwrap_err();
    assert!(error.starts_with("session.json: "), "{error}");
    assert!(error.contains("line"), "{error}");
    let _ = std::fs::remove_dir_all(dir);
}
