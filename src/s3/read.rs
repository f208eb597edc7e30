//! What other services and the playground may read of S3.

use crate::world::World;

/// The bucket and key of an object ARN (`arn:aws:s3:::bucket/key`).
pub fn object_of(arn: &str) -> Option<(String, String)> {
    let rest = arn.strip_prefix("arn:aws:s3:::")?;
    let (bucket, key) = rest.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then(|| (bucket.to_string(), key.to_string()))
}

/// Whether the bucket exists.
pub fn bucket_exists(world: &World, bucket: &str) -> bool {
    world.s3.buckets.contains_key(bucket)
}

/// An object's text, if it exists.
pub fn object(world: &World, bucket: &str, key: &str) -> Option<String> {
    world
        .s3
        .buckets
        .get(bucket)?
        .objects
        .get(key)
        .map(|o| o.body.clone())
}

/// Every object, as (bucket, key, size), for the playground.
pub fn objects(world: &World) -> Vec<(String, String, usize)> {
    (world.s3.buckets.iter())
        .flat_map(|(b, bucket)| {
            bucket
                .objects
                .iter()
                .map(move |(k, o)| (b.clone(), k.clone(), o.body.len()))
        })
        .collect()
}
