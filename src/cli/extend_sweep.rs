//! `rungs extend DIR --runs N` for the folder of a design sweep (grid, `--lhs`,
//! `--epistemic`): tops every point up to N runs, computing only the runs it adds. The
//! files are the bytes a fresh `rungs sweep --runs N` with the same scenario, seed, design
//! and options writes.
//!
//! The folder's extend.jsonl ([`crate::sweep::state`]) keeps each point's blocks as a run
//! folder's extend.json keeps a run's; the points are read, continued and written again one
//! at a time, in the one (point, block) stream a sweep runs ([`crate::sweep::run_points_from`]).

use std::time::{Instant, SystemTime};

use crate::cli::extend::{ExtendArgs, check_kept, check_state, refusal, sets_of, top_up};
use crate::cli::{Failure, progress_bar};
use crate::engine::given::{Given, thousands};
use crate::output::{Manifest, OutputDir};
use crate::partial::JobIdentity;
use crate::scenario::Model;
use crate::sweep::state::{STATE_FILE, StateReader, StateWriter};
use crate::sweep::tables::SweepWriter;
use crate::sweep::{self, Design, SweepError};

/// Tops up the sweep folder `args.dir`, whose manifest is `manifest`.
pub(crate) fn run(args: ExtendArgs, manifest: Manifest) -> Result<(), Failure> {
    let (started, clock) = (SystemTime::now(), Instant::now());
    let refuse = |why: String| refusal(&args.dir, why);
    let path = state_path(&args, &manifest)?;
    let shown = |e: String| refuse(format!("{STATE_FILE}: {e}"));
    let mut reader = StateReader::open(&path).map_err(shown)?;
    let head = &reader.head;
    check_kept(
        &manifest,
        &head.job,
        &head.scenario_text,
        "sweep",
        STATE_FILE,
    )
    .map_err(refuse)?;
    let model = crate::cli::merge::model_of(head)?;
    let design = design_of(&model, &head.job, &manifest).map_err(refuse)?;
    if head.payload.points != design.len() as u64 {
        return Err(shown(format!(
            "damaged: {} points for a design of {}",
            head.payload.points,
            design.len()
        )));
    }
    let given = Given::parse(&model, &manifest.given, None, args.max_draws).map_err(refuse)?;
    let old = manifest.runs;
    let threads = top_up(&args, old, &given, "runs per point")?;
    let mut job = head.job.clone();
    job.runs = args.runs;
    let mut new_head = reader.head.clone();
    new_head.job = job.clone();

    let dir = OutputDir::create(&args.dir)?;
    let mut writer = SweepWriter::create(&dir, &model, &design)?;
    let mut states = StateWriter::create(&dir, &new_head)?;
    let points = sweep::Points {
        base: &model,
        design: &design,
        range: 0..design.len(),
        seed: job.seed,
        runs: args.runs,
        threads,
        given: &given,
    };
    // The complete blocks every point holds: extending continues from the first after.
    let from = old / crate::engine::many::BLOCK_RUNS;
    // The bar counts the runs of the blocks computed (a continued block's counting whole).
    let span = args.runs - from * crate::engine::many::BLOCK_RUNS;
    let bar = progress_bar(design.len() as u64 * span, args.quiet, "runs");
    bar.set_message(format!("{} points", design.len()));
    let mut drawn = 0u64;
    let mut resume = |p: usize| {
        let state = reader
            .next_state()
            .map_err(|e| SweepError::Usage(format!("{STATE_FILE}: {e}")))?;
        check_state(&design.model_at(&model, p), &state, old)
            .map_err(|e| SweepError::Usage(format!("{STATE_FILE}: point {p}: damaged: {e}")))?;
        Ok(state)
    };
    let ran = sweep::run_points_from(
        &points,
        from,
        &mut resume,
        &|d| bar.set_position(d),
        &mut |p, state| {
            let summary = states.keep(&model, p, state, &mut drawn)?;
            writer.add(&model, p, &summary)?;
            Ok(())
        },
    );
    bar.finish_and_clear();
    ran.map_err(|e| match e {
        SweepError::Usage(m) => refuse(m),
        SweepError::Run(m) => Failure::Run(crate::engine::run::reproduce_in(
            &m,
            &job.scenario_path,
            &sets_of(&job),
        )),
    })?;
    reader.finish().map_err(shown)?;
    writer.finish()?;
    states.finish()?;
    let how = sweep::Written {
        threads,
        shards: 1,
        start: started,
        wall: clock.elapsed(),
        options: manifest.options.clone(),
        scenario_text: manifest.scenario_text.clone(),
        runs_drawn: (!given.is_empty()).then_some(drawn),
        extended_from: Some(old),
    };
    sweep::commit_folder(dir, &job, &how).map_err(|e| Failure::Run(e.to_string()))?;
    if !args.quiet {
        say_extended(&args, old, design.len(), &given, drawn, clock.elapsed());
    }
    Ok(())
}

/// The state file of the sweep folder `args.dir`, refusing a folder that cannot be extended
/// (a precision sweep; a folder without the file).
fn state_path(args: &ExtendArgs, manifest: &Manifest) -> Result<std::path::PathBuf, Failure> {
    let refuse = |why: String| refusal(&args.dir, why);
    if manifest.options.get("precision").is_some() {
        return Err(refuse(
            "it is a --precision sweep, whose points ran to different numbers of runs; \
             extend tops every point up to the same --runs: run the sweep again with --runs \
             N (or a smaller --precision)"
                .into(),
        ));
    }
    let path = args.dir.join(STATE_FILE);
    if !path.is_file() {
        return Err(refuse(format!(
            "it has no {STATE_FILE}, the statistics of its points' blocks that extending \
             continues (folders of `rungs merge` of a sharded sweep, and of older rungs, lack \
             it); run the sweep afresh with --runs {}",
            args.runs
        )));
    }
    Ok(path)
}

/// What an extension did, for the person watching.
fn say_extended(
    args: &ExtendArgs,
    old: u64,
    points: usize,
    given: &Given,
    drawn: u64,
    took: std::time::Duration,
) {
    println!(
        "extended {} from {} to {} runs per point, {} points ({} runs added) in {:.1} s",
        args.dir.display(),
        thousands(old),
        thousands(args.runs),
        points,
        thousands(points as u64 * (args.runs - old)),
        took.as_secs_f64()
    );
    if !given.is_empty() {
        let agreeing = points as u64 * args.runs;
        println!(
            "{}",
            crate::cli::forecast::news_line(given, agreeing, drawn)
        );
    }
}

/// The sweep's design, from its job's identity, checked against the scenario (every varied
/// parameter one of its own, every point a value for each) and against the manifest.
fn design_of(model: &Model, job: &JobIdentity, manifest: &Manifest) -> Result<Design, String> {
    let text = job
        .options
        .iter()
        .find(|(k, _)| k == "design")
        .map(|(_, v)| v.as_str())
        .ok_or(format!("{STATE_FILE} does not say which design was run"))?;
    let design: Design = serde_json::from_str(text)
        .map_err(|e| format!("{STATE_FILE} is damaged: its design ({e})"))?;
    let params_ok = design.params.len() == design.param_ids.len()
        && design
            .params
            .iter()
            .zip(&design.param_ids)
            .all(|(id, &p)| model.params.get(p).is_some_and(|q| q.id == *id))
        && design
            .points
            .iter()
            .all(|row| row.len() == design.params.len());
    if !params_ok {
        return Err(format!(
            "{STATE_FILE} is damaged: its design does not fit the scenario"
        ));
    }
    if manifest.options.get("design") != Some(&design.describe()) {
        return Err(format!(
            "its manifest.json and {STATE_FILE} disagree on the design: one of them was \
             replaced or edited"
        ));
    }
    Ok(design)
}
