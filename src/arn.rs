//! ARNs: the one reader of `arn:partition:service:region:account-id:resource` in the crate.
//!
//! An ARN has six `:`-separated fields; the resource field takes the rest of the text, colons included
//! (`arn:aws:lambda:eu-west-1:111122223333:function:f:1` has the resource `function:f:1`). "Amazon Resource Names
//! (ARNs)", IAM User Guide: <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html>.

/// A 12-digit AWS account id (`123456789012`): the one test of the crate.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// An ARN's six fields, borrowed from its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// The first field: `arn` in an ARN ([`Arn::parse`] insists on it, [`Arn::fields`] does not).
    pub prefix: &'a str,
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// The service prefix (`iam`, `s3`).
    pub service: &'a str,
    /// The region; empty for global resources.
    pub region: &'a str,
    /// The account id; empty where the resource has none (S3 buckets).
    pub account: &'a str,
    /// Everything after the fifth `:`.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// The six fields of `s` whatever its first field says, when it has at least five `:`: for the validator,
    /// which reports a wrong prefix itself, and for patterns whose fields are wildcards.
    pub fn fields(s: &'a str) -> Option<Arn<'a>> {
        // A byte search per field: a `str` split on a `char` compares each candidate with `memcmp`, which was a
        // few per cent of a batch's evaluation (every request's resource is read as an ARN).
        let (prefix, rest) = split_colon(s)?;
        let (partition, rest) = split_colon(rest)?;
        let (service, rest) = split_colon(rest)?;
        let (region, rest) = split_colon(rest)?;
        let (account, resource) = split_colon(rest)?;
        Some(Arn {
            prefix,
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// `s` as an ARN: six fields, the first one `arn`.
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        Arn::fields(s).filter(|a| a.prefix == "arn")
    }

    /// The six fields in order.
    pub fn to_array(self) -> [&'a str; 6] {
        [
            self.prefix,
            self.partition,
            self.service,
            self.region,
            self.account,
            self.resource,
        ]
    }
}

/// `s` around its first `:`, when it has one.
pub fn split_colon(s: &str) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == b':')?;
    // `:` is ASCII: both sides are on character boundaries.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The service prefix of an action name (`s3` of `s3:GetObject`); the whole text when it has no `:`.
pub fn action_service(action: &str) -> &str {
    split_colon(action).map_or(action, |(service, _)| service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resource_keeps_its_colons_and_the_prefix_is_checked_only_by_parse() {
        let a = Arn::parse("arn:aws:lambda:eu-west-1:111122223333:function:f:1").expect("arn");
        assert_eq!(
            (a.service, a.region, a.account, a.resource),
            ("lambda", "eu-west-1", "111122223333", "function:f:1")
        );
        let s3 = Arn::parse("arn:aws:s3:::bucket/key").expect("arn");
        assert_eq!((s3.region, s3.account, s3.resource), ("", "", "bucket/key"));
        assert!(Arn::parse("arn:aws:s3::bucket").is_none(), "five fields");
        assert!(Arn::parse("ARN:aws:s3:::b").is_none());
        assert_eq!(Arn::fields("ARN:aws:s3:::b").map(|a| a.prefix), Some("ARN"));
        assert_eq!(
            Arn::fields("a:b:c:d:e:f").map(Arn::to_array),
            Some(["a", "b", "c", "d", "e", "f"])
        );
        assert!(Arn::fields("").is_none() && Arn::fields("*").is_none());
    }
}
