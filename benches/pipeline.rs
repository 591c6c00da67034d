//! Criterion benchmarks of the pipeline against its floor: a synthetic tree scanned and
//! compared versus merely read and JSON-parsed, and versus its parse stage alone; and
//! 100 000 synthetic series compared and rendered. The tree is the small one unless `BENCHGATE_BENCH_SIZE` names another
//! (`medium`, `large`); `scripts/bench.sh` measures every size end to end.

mod support;

use benchgate::collect::CollectOptions;
use benchgate::compare;
use benchgate::config::Policy;
use benchgate::render::{Renderer, TemplatePaths};
use benchgate::scan::walk_tree;
use benchgate::trees::{self, RowStore};
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::PathBuf;
use support::{floor, parse_stage, series, synth};

fn tree(c: &mut Criterion) {
    let name = std::env::var("BENCHGATE_BENCH_SIZE").unwrap_or_else(|_| "small".into());
    let size = synth::Size::named(&name).expect("BENCHGATE_BENCH_SIZE: small, medium or large");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("synth/criterion-{name}"));
    synth::generate(&out, size, 7).expect("generate the tree");
    let (base, head) = (out.join("base"), out.join("head"));
    let mut group = c.benchmark_group(format!("{name}_tree"));
    group.sample_size(10);
    group.bench_function("floor", |b| {
        b.iter(|| {
            let f = floor::floor(&head).expect("floor") + floor::floor(&base).expect("floor");
            black_box(f)
        })
    });
    let options = CollectOptions::default();
    group.bench_function("parse", |b| {
        b.iter(|| {
            let files = |dir| walk_tree(dir, &options).expect("walk").walk.files;
            let (h, s) = (files(&head), files(&base));
            black_box(
                parse_stage::parse(&h, options.max_file_size)
                    + parse_stage::parse(&s, options.max_file_size),
            )
        })
    });
    group.bench_function("scan_compare", |b| {
        b.iter(|| {
            let h = walk_tree(&head, &options).expect("walk head");
            let s = walk_tree(&base, &options).expect("walk base");
            let policy = Policy::default();
            let store = RowStore::default();
            black_box(trees::compare_trees(
                &h,
                &[s],
                &policy,
                options.max_file_size,
                store,
            ))
        })
    });
    group.finish();
}

fn many_series(c: &mut Criterion) {
    let (base, head) = series::pair(100_000, 7);
    let policy = Policy::default();
    let renderer = Renderer::new(&TemplatePaths::default()).expect("built-in templates");
    let mut group = c.benchmark_group("series_100k");
    group.sample_size(10);
    group.bench_function("compare", |b| {
        b.iter(|| black_box(compare::compare(&base, &head, &policy)))
    });
    let comparison = compare::compare(&base, &head, &policy);
    let report = support::report_of(comparison);
    group.bench_function("render", |b| {
        b.iter(|| black_box(renderer.comment(&report).expect("render")))
    });
    group.finish();
}

criterion_group!(benches, tree, many_series);
criterion_main!(benches);
