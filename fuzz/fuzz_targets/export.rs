//! The export loader, then the evaluator, who-can and what-can on what loaded: no panic, a failed load leaves
//! nothing behind, and every answer names a decision.
#![no_main]

use iam_atlas::account::Model;
use iam_atlas::account::export::{LoadCtx, load_export, text_from_bytes};
use iam_atlas::account::workspace::finish;
use iam_atlas::eval::reverse::{all_principals, principal_of, what_can, who_can};
use iam_atlas::eval::{Context, Overrides, Request, evaluate};
use libfuzzer_sys::fuzz_target;

const QUESTIONS: [(&str, &str); 4] = [
    ("s3:GetObject", "arn:aws:s3:::bucket/key"),
    ("iam:PassRole", "*"),
    ("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"),
    ("sts:AssumeRole", "arn:aws:iam::111122223333:role/r"),
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = text_from_bytes("fuzz.json", data.to_vec()) else {
        return;
    };
    let mut model = Model::default();
    let mut ctx = LoadCtx::default();
    if load_export(&mut model, &mut ctx, "fuzz.json", text, None).is_err() {
        assert!(model.accounts.is_empty());
        return;
    }
    finish(&mut model, &mut ctx);
    let overrides = Overrides::default();
    let context = Context::default();
    for r in all_principals(&model).into_iter().take(4) {
        let Some(principal) = principal_of(&model, r) else {
            continue;
        };
        for (action, resource) in QUESTIONS {
            let req = Request {
                principal: principal.clone(),
                action: action.into(),
                resource: resource.into(),
                resource_account: None,
                context: context.clone(),
            };
            let _ = evaluate(&model, &req, &overrides).summary();
        }
        let _ = what_can(&model, &principal, &context, &overrides);
    }
    for (action, resource) in QUESTIONS {
        let _ = who_can(&model, action, resource, None, &context, &overrides);
    }
});
