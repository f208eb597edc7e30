//! Amazon S3, prefix `s3:` (the `s3api` operations): buckets and small text objects, as ECS
//! reads them for a container's `environmentFiles` (aws-facts 11, 17.6.3). Requests take the
//! JSON `aws s3api ... --cli-input-json` takes, in PascalCase, except that `PutObject`'s
//! `Body` is the object's text itself (the CLI's is a file to upload; a scenario has no
//! files).
//!
//! Not here: versioning, ACLs and bucket policies, multipart uploads, storage classes. S3 is
//! not a file system ECS mounts: a task reads objects with the SDK and its task role.

pub mod read;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::engine::error::{parse_request, ApiError};
use crate::engine::time::SimTime;
use crate::world::World;

/// Buckets the model holds (S3's default quota is 10,000 an account).
pub const BUCKETS_MAX: usize = 100;
pub const OBJECTS_PER_BUCKET_MAX: usize = 1_000;
/// An object's body at most this many bytes here (environment files are small).
pub const OBJECT_BYTES_MAX: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct Object {
    pub body: String,
    pub modified_at: SimTime,
}

#[derive(Debug, Clone)]
pub struct Bucket {
    pub created_at: SimTime,
    pub objects: BTreeMap<String, Object>,
}

#[derive(Debug, Default)]
pub struct S3State {
    pub buckets: BTreeMap<String, Bucket>,
}

/// Performs `s3:<operation>`.
pub fn dispatch(world: &mut World, operation: &str, input: &Value) -> Result<Value, ApiError> {
    match operation {
        "CreateBucket" => world.create_bucket(input),
        "PutObject" => world.put_object(input),
        "HeadObject" => world.head_object(input),
        "DeleteObject" => world.delete_object(input),
        "ListObjectsV2" => world.list_objects(input),
        _ => Err(ApiError::unknown_operation(&format!("s3:{operation}"))),
    }
}

fn no_such_bucket() -> ApiError {
    ApiError::new(
        "NoSuchBucket",
        "The specified bucket does not exist",
        Some("$.Bucket"),
    )
}

/// S3's bucket naming rules: 3 to 63 lowercase letters, digits, dots and hyphens, starting and
/// ending with a letter or digit.
fn valid_bucket_name(name: &str) -> bool {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && edge(name.chars().next())
        && edge(name.chars().last())
        && !name.contains("..")
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct ObjectRequest {
    bucket: String,
    key: String,
}

impl World {
    fn bucket(&self, name: &str) -> Result<&Bucket, ApiError> {
        self.s3.buckets.get(name).ok_or_else(no_such_bucket)
    }

    fn create_bucket(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            bucket: String,
            create_bucket_configuration: Option<Value>,
            #[serde(rename = "ACL")]
            acl: Option<String>,
            object_ownership: Option<String>,
        }
        let request: Request = parse_request(input)?;
        if !valid_bucket_name(&request.bucket) {
            return Err(ApiError::new(
                "InvalidBucketName",
                "The specified bucket is not valid.",
                Some("$.Bucket"),
            ));
        }
        let constraint = (request.create_bucket_configuration.as_ref())
            .and_then(|c| c.get("LocationConstraint"))
            .and_then(Value::as_str);
        match constraint {
            None if self.config.region == "us-east-1" => {}
            Some(region) if region == self.config.region && region != "us-east-1" => {}
            Some("us-east-1") | None => {
                return Err(ApiError::new(
                    "IllegalLocationConstraintException",
                    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
                    Some("$.CreateBucketConfiguration.LocationConstraint"),
                ))
            }
            Some(_) => {
                return Err(ApiError::new(
                    "IllegalLocationConstraintException",
                    "The location constraint is incompatible for the region specific endpoint this request was sent to.",
                    Some("$.CreateBucketConfiguration.LocationConstraint"),
                ))
            }
        }
        if request.acl.is_some() || request.object_ownership.is_some() {
            return Err(ApiError::not_modelled(
                "$.ACL",
                "ACLs and object ownership are not simulated.",
            ));
        }
        if self.s3.buckets.contains_key(&request.bucket) {
            return Err(ApiError::new(
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it.",
                Some("$.Bucket"),
            ));
        }
        if self.s3.buckets.len() >= BUCKETS_MAX {
            return Err(ApiError::new(
                "TooManyBuckets",
                "You have attempted to create more buckets than allowed",
                Some("$.Bucket"),
            ));
        }
        self.s3.buckets.insert(
            request.bucket.clone(),
            Bucket {
                created_at: self.now,
                objects: BTreeMap::new(),
            },
        );
        Ok(json!({ "Location": format!("/{}", request.bucket) }))
    }

    fn put_object(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            bucket: String,
            key: String,
            body: Option<String>,
            content_type: Option<String>,
        }
        let request: Request = parse_request(input)?;
        let _ = request.content_type;
        let body = request.body.unwrap_or_default();
        if body.len() > OBJECT_BYTES_MAX {
            return Err(ApiError::new(
                "EntityTooLarge",
                format!("Your proposed upload exceeds the maximum allowed size here ({OBJECT_BYTES_MAX} bytes)."),
                Some("$.Body"),
            ));
        }
        if request.key.is_empty() || request.key.len() > 1024 {
            return Err(ApiError::new(
                "KeyTooLongError",
                "Your key is too long",
                Some("$.Key"),
            ));
        }
        let bucket = self.bucket(&request.bucket)?;
        if !bucket.objects.contains_key(&request.key)
            && bucket.objects.len() >= OBJECTS_PER_BUCKET_MAX
        {
            return Err(ApiError::new(
                "TooManyObjects",
                format!("A bucket holds at most {OBJECTS_PER_BUCKET_MAX} objects here."),
                Some("$.Key"),
            ));
        }
        let now = self.now;
        let bucket = self.s3.buckets.get_mut(&request.bucket).expect("checked");
        bucket.objects.insert(
            request.key,
            Object {
                body,
                modified_at: now,
            },
        );
        Ok(json!({ "ServerSideEncryption": "AES256" }))
    }

    fn head_object(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ObjectRequest = parse_request(input)?;
        let bucket = self.bucket(&request.bucket)?;
        let Some(object) = bucket.objects.get(&request.key) else {
            return Err(ApiError::new("404", "Not Found", Some("$.Key")));
        };
        Ok(json!({
            "ContentLength": object.body.len(),
            "LastModified": self.iso(object.modified_at),
            "ServerSideEncryption": "AES256",
        }))
    }

    fn delete_object(&mut self, input: &Value) -> Result<Value, ApiError> {
        let request: ObjectRequest = parse_request(input)?;
        self.bucket(&request.bucket)?;
        let bucket = self.s3.buckets.get_mut(&request.bucket).expect("checked");
        bucket.objects.remove(&request.key);
        Ok(json!({}))
    }

    fn list_objects(&mut self, input: &Value) -> Result<Value, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        struct Request {
            bucket: String,
            prefix: Option<String>,
        }
        let request: Request = parse_request(input)?;
        let prefix = request.prefix.unwrap_or_default();
        let bucket = self.bucket(&request.bucket)?;
        let contents: Vec<Value> = (bucket.objects.iter())
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, o)| json!({ "Key": k, "Size": o.body.len(), "LastModified": self.iso(o.modified_at), "StorageClass": "STANDARD" }))
            .collect();
        Ok(json!({
            "IsTruncated": false,
            "Contents": contents,
            "Name": request.bucket,
            "Prefix": prefix,
            "MaxKeys": 1000,
            "KeyCount": contents.len(),
        }))
    }
}
