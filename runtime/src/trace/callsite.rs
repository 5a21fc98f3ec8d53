//! A `tracing` span callsite built on first use, so that the span's name can
//! be the operation name (`module::Type::method`), which a proc macro cannot
//! know at compile time. The metadata is leaked once per annotated function,
//! as `tracing`'s own callsites are `static`s.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use tracing::callsite::{Callsite as TracingCallsite, Identifier};
use tracing::field::{Field, FieldSet};
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::metadata::Kind;
use tracing::subscriber::Interest;
use tracing::{Level, Metadata};

use crate::naming::Site;

/// What the attribute knows at compile time.
#[derive(Debug)]
pub struct CallsiteMeta {
    /// Where the function is; the span is named after its operation name.
    pub site: Site,
    /// The span's level.
    pub level: Level,
    /// The span's target (`module_path!()` unless given).
    pub target: &'static str,
    /// The span's fields, in order: recorded arguments, `fields(..)`, then
    /// the ones recorded when the call ends.
    pub fields: &'static [&'static str],
    /// `file!()`.
    pub file: &'static str,
    /// `line!()`.
    pub line: u32,
    /// Share of root calls traced.
    pub sample_rate: f64,
    /// The level of the event that logs an `Err` (`err(level = ..)`).
    pub error_level: Level,
    /// With `ret(level = ..)`: the level of an event that logs the result
    /// too, as `#[tracing::instrument(ret)]` does.
    pub result_level: Option<Level>,
    /// `include_elapsed`: every call records `elapsed_ms`, and `outcome`
    /// also when it is `ok`. Without it, a call that succeeds records
    /// neither (a span without `outcome` ended `ok`), and the clock is not
    /// read.
    pub include_elapsed: bool,
}

/// The `tracing` callsite of one annotated function.
struct Dynamic {
    metadata: OnceLock<Metadata<'static>>,
    /// `outcome` and `elapsed_ms`, looked up once.
    closing: OnceLock<(Field, Field)>,
    /// 0 never, 1 sometimes, 2 always.
    interest: AtomicU8,
}

impl TracingCallsite for Dynamic {
    fn set_interest(&self, interest: Interest) {
        let value = if interest.is_never() {
            0
        } else if interest.is_always() {
            2
        } else {
            1
        };
        self.interest.store(value, Ordering::Relaxed);
    }

    fn metadata(&self) -> &Metadata<'_> {
        self.metadata
            .get()
            .expect("set before the callsite is registered")
    }
}

/// A `static` per annotated function.
#[derive(Debug)]
pub struct Callsite {
    pub(super) meta: CallsiteMeta,
    name: OnceLock<&'static str>,
    dynamic: OnceLock<&'static Dynamic>,
}

impl std::fmt::Debug for Dynamic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dynamic")
            .field("metadata", &self.metadata.get())
            .finish()
    }
}

impl Callsite {
    /// A callsite not yet registered with `tracing`.
    pub const fn new(meta: CallsiteMeta) -> Self {
        Self {
            meta,
            name: OnceLock::new(),
            dynamic: OnceLock::new(),
        }
    }

    /// The span's (and the operation's) name, worked out once.
    pub fn name(&'static self) -> &'static str {
        self.name
            .get_or_init(|| Box::leak(self.meta.site.operation().name.into_boxed_str()))
    }

    /// Whether the span's level passes the current maximum level: the check
    /// a disabled `tracing` callsite makes. Generated code calls
    /// [`start`](Self::start) only when it does.
    #[inline]
    pub fn level_enabled(&'static self) -> bool {
        // The compile-time maximum (tracing's `max_level_*` features) too.
        self.meta.level <= STATIC_MAX_LEVEL && self.meta.level <= LevelFilter::current()
    }

    /// Starts one call whose level is enabled: a
    /// [`TraceCall`](super::TraceCall) that has asked the subscriber whether
    /// it wants the span, decided on sampling and, if the call is traced,
    /// made the span with `make`. Inlined up to the interest check, so a
    /// call no subscriber wants costs a few loads and a branch where it is
    /// made.
    #[inline]
    pub fn start(
        &'static self,
        make: impl FnOnce(&'static Metadata<'static>) -> tracing::Span,
    ) -> Option<super::TraceCall> {
        super::TraceCall::start(self, self.interested()?, make)
    }

    /// The fields recorded when a call ends, `outcome` and `elapsed_ms`, so
    /// that both are recorded in one go.
    pub(super) fn closing_fields(&'static self) -> Option<&'static (Field, Field)> {
        self.dynamic.get()?.closing.get()
    }

    /// The span's metadata, if a subscriber whose level lets the span
    /// through wants it.
    #[inline]
    fn interested(&'static self) -> Option<&'static Metadata<'static>> {
        let dynamic = self
            .dynamic
            .get()
            .copied()
            .unwrap_or_else(|| self.register());
        let interest = dynamic.interest.load(Ordering::Relaxed);
        if interest == 0 {
            return None;
        }
        let metadata = dynamic.metadata();
        // Asked whatever the cached interest ("sometimes" or "always"):
        // "always" is the interest of every subscriber in the process, and
        // this call's own may be none at all (a thread outside a scoped
        // subscriber), whose span would record nothing at the price of a
        // traced call. `enabled` answers that too (`NoSubscriber` says no at
        // once), and costs a recording subscriber about half of asking
        // whether it is `NoSubscriber`, which walks its layers' type ids.
        let wanted = tracing::dispatcher::get_default(|dispatch| dispatch.enabled(metadata));
        wanted.then_some(metadata)
    }

    #[cold]
    fn register(&'static self) -> &'static Dynamic {
        self.dynamic.get_or_init(|| {
            let dynamic: &'static Dynamic = Box::leak(Box::new(Dynamic {
                metadata: OnceLock::new(),
                closing: OnceLock::new(),
                interest: AtomicU8::new(1),
            }));
            let metadata = Metadata::new(
                self.name(),
                self.meta.target,
                self.meta.level,
                Some(self.meta.file),
                Some(self.meta.line),
                Some(self.meta.site.module),
                FieldSet::new(self.meta.fields, Identifier(dynamic)),
                Kind::SPAN,
            );
            let _ = dynamic.metadata.set(metadata);
            let fields = dynamic.metadata().fields();
            if let (Some(outcome), Some(elapsed)) =
                (fields.field("outcome"), fields.field("elapsed_ms"))
            {
                let _ = dynamic.closing.set((outcome, elapsed));
            }
            tracing::callsite::register(dynamic);
            dynamic
        })
    }
}
