//! Secrets and configuration in the page: Parameter Store parameters and Secrets Manager
//! secrets (values never shown), made and rotated here, and environment files as S3 objects.
//! A container reads them when it starts; rotating a secret changes nothing for the tasks
//! running until a new deployment starts new ones. Every change is an AWS request.

use serde_json::{json, Value};
use yew::prelude::*;

use super::capacity::outcome_line;
use super::fields::{input_value, select_value, use_field_defaults};
use super::state::{Origin, Outcome, SimRef};

#[derive(Properties, PartialEq)]
pub struct SecretsProps {
    pub sim: SimRef,
    pub outcome: Option<std::rc::Rc<Outcome>>,
    pub onrequest: Callback<(String, Value)>,
    pub onbatch: Callback<Vec<(String, Value)>>,
}

#[function_component(SecretsPanel)]
pub fn secrets_panel(props: &SecretsProps) -> Html {
    let session = props.sim.borrow();
    let world = session.world();
    let parameters = crate::ssm::read::parameters(world);
    let secrets = crate::secretsmanager::read::secrets(world);
    let objects = crate::s3::read::objects(world);
    let (kind_ref, name_ref, value_ref) = (use_node_ref(), use_node_ref(), use_node_ref());
    let (file_ref, body_ref) = (use_node_ref(), use_node_ref());
    use_field_defaults(&[
        (name_ref.clone(), "db-password"),
        (value_ref.clone(), "s3cr3t"),
        (file_ref.clone(), "app-config/web.env"),
        (body_ref.clone(), "LOG_LEVEL=info"),
    ]);
    let secret_names: Vec<String> = secrets.iter().map(|(n, _, _)| n.clone()).collect();
    let onsave = {
        let (onrequest, kind_ref, name_ref, value_ref) = (
            props.onrequest.clone(),
            kind_ref.clone(),
            name_ref.clone(),
            value_ref.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (name, value) = (input_value(&name_ref), input_value(&value_ref));
            let request = match select_value(&kind_ref).as_str() {
                // A secret that exists gets a new AWSCURRENT version: its rotation.
                "secret" if secret_names.contains(&name) => (
                    "secretsmanager:PutSecretValue".to_string(),
                    json!({ "SecretId": name, "SecretString": value }),
                ),
                "secret" => (
                    "secretsmanager:CreateSecret".to_string(),
                    json!({ "Name": name, "SecretString": value }),
                ),
                kind => (
                    "ssm:PutParameter".to_string(),
                    json!({ "Name": name, "Value": value, "Type": kind, "Overwrite": true }),
                ),
            };
            onrequest.emit(request);
        })
    };
    let onfile = {
        let (onbatch, file_ref, body_ref) =
            (props.onbatch.clone(), file_ref.clone(), body_ref.clone());
        let known: Vec<String> = (world.s3.buckets.keys()).cloned().collect();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let path = input_value(&file_ref);
            let (bucket, key) = path.split_once('/').unwrap_or((path.as_str(), ""));
            let mut batch = Vec::new();
            if !known.iter().any(|k| k == bucket) {
                batch.push(("s3:CreateBucket".to_string(), json!({ "Bucket": bucket })));
            }
            // The field holds one line per "; " for a small file typed in one input.
            let body = input_value(&body_ref).replace("; ", "\n") + "\n";
            batch.push((
                "s3:PutObject".to_string(),
                json!({ "Bucket": bucket, "Key": key, "Body": body }),
            ));
            onbatch.emit(batch);
        })
    };
    html! {
        <section class="panel" id="panel-secrets" aria-labelledby="panel-secrets-title">
            <h2 id="panel-secrets-title">{ "Secrets and configuration" }</h2>
            <p class="muted">{ "Containers read these when they start, with the execution role (secrets: ssm:GetParameters, secretsmanager:GetSecretValue; environment files: s3:GetObject)." }</p>
            <ul class="secret-list" id="secret-list">
                { for parameters.iter().map(|p| html! {
                    <li>{ format!("Parameter {} · {} · version {}", p.name, p.kind, p.version) }</li>
                }) }
                { for secrets.iter().map(|(name, arn, current)| html! {
                    <li title={arn.clone()}>{ format!("Secret {name} · AWSCURRENT {}", current.as_deref().map_or("none", |v| &v[..8.min(v.len())])) }</li>
                }) }
                { for objects.iter().map(|(bucket, key, size)| html! {
                    <li>{ format!("Object s3://{bucket}/{key} · {size} bytes") }</li>
                }) }
                if parameters.is_empty() && secrets.is_empty() && objects.is_empty() { <li class="muted">{ "None yet." }</li> }
            </ul>
            <form class="inline-form" id="form-secret" onsubmit={onsave}>
                <select ref={kind_ref} aria-label="Kind" id="secret-kind">
                    <option value="SecureString">{ "SecureString parameter" }</option>
                    <option value="String">{ "String parameter" }</option>
                    <option value="secret">{ "Secrets Manager secret" }</option>
                </select>
                <input ref={name_ref} aria-label="Name" id="secret-name" class="mono" />
                <input ref={value_ref} aria-label="Value" id="secret-value" class="mono" type="password" />
                <button class="btn btn-small" type="submit" title="A secret that exists gets a new AWSCURRENT version (its rotation)">{ "Save" }</button>
            </form>
            <form class="inline-form" id="form-env-file" onsubmit={onfile}>
                <input ref={file_ref} aria-label="Bucket/key of the .env file" id="env-file-path" class="mono" />
                <input ref={body_ref} aria-label="Lines, separated by '; '" id="env-file-body" class="mono" />
                <button class="btn btn-small" type="submit">{ "Put .env file" }</button>
            </form>
            { outcome_line(props.outcome.as_deref(), Origin::Secrets) }
        </section>
    }
}
