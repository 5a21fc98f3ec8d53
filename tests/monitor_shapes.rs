//! `#[monitor_performance]` on every function shape the README promises: methods with
//! each receiver, trait impls, `#[async_trait]`, generics, lifetimes,
//! `impl Trait` arguments, patterns, early `return` and `?`; and the default
//! names they get.

use std::sync::Arc;

use async_trait::async_trait;
use opguard::monitor;
use opguard::monitor_performance;

fn calls(name: &str) -> u64 {
    monitor::get(name)
        .unwrap_or_else(|| panic!("no timer `{name}`; have {:?}", names()))
        .snapshot()
        .calls
}

fn names() -> Vec<String> {
    monitor::all().into_iter().map(|s| s.name).collect()
}

#[derive(Debug, Default)]
struct Repo {
    rows: Vec<u32>,
}

impl Repo {
    #[monitor_performance]
    fn get(&self, index: usize) -> Option<&u32> {
        self.rows.get(index)
    }

    #[monitor_performance]
    fn push(&mut self, row: u32) -> &mut Vec<u32> {
        if row == 0 {
            return &mut self.rows;
        }
        self.rows.push(row);
        &mut self.rows
    }

    #[monitor_performance]
    fn into_rows(self) -> Vec<u32> {
        self.rows
    }

    #[monitor_performance]
    async fn shared(self: Arc<Self>) -> usize {
        tokio::task::yield_now().await;
        self.rows.len()
    }

    #[monitor_performance]
    async fn first<'a>(&'a self, fallback: &'a u32) -> &'a u32 {
        self.rows.first().unwrap_or(fallback)
    }
}

#[tokio::test]
async fn methods_with_every_receiver_get_type_qualified_names() {
    let mut repo = Repo::default();
    repo.push(7);
    repo.push(8).push(9);
    assert!(
        repo.push(0).ends_with(&[9]),
        "the early return hands back the rows"
    );
    assert_eq!(repo.get(1), Some(&8));
    assert_eq!(*repo.first(&0).await, 7);
    let repo = Arc::new(repo);
    assert_eq!(repo.clone().shared().await, 3);
    let rows = Arc::try_unwrap(repo).unwrap().into_rows();
    assert_eq!(rows, [7, 8, 9]);

    assert_eq!(calls("monitor_shapes::Repo::push"), 3);
    assert_eq!(calls("monitor_shapes::Repo::get"), 1);
    assert_eq!(calls("monitor_shapes::Repo::first"), 1);
    assert_eq!(calls("monitor_shapes::Repo::shared"), 1);
    assert_eq!(calls("monitor_shapes::Repo::into_rows"), 1);
    let s = monitor::get("monitor_shapes::Repo::push")
        .unwrap()
        .snapshot();
    assert_eq!(
        (s.function.as_str(), s.module.as_str()),
        ("Repo::push", "monitor_shapes")
    );
}

trait Store {
    fn load(&self, key: &str) -> Result<String, String>;
}

impl Store for Repo {
    #[monitor_performance]
    fn load(&self, key: &str) -> Result<String, String> {
        let index: usize = key.parse().map_err(|_| format!("bad key {key}"))?;
        self.rows
            .get(index)
            .map(u32::to_string)
            .ok_or_else(|| "missing".to_owned())
    }
}

#[test]
fn trait_impl_methods_are_named_after_the_self_type() {
    let repo = Repo { rows: vec![5] };
    assert_eq!(repo.load("0").as_deref(), Ok("5"));
    assert!(repo.load("x").is_err());
    let s = monitor::get("monitor_shapes::Repo::load")
        .unwrap()
        .snapshot();
    assert_eq!((s.calls, s.errors), (2, 1));
}

#[async_trait]
trait Fetch {
    async fn fetch(&self, id: u64) -> Result<u64, String>;

    #[monitor_performance]
    async fn fetch_twice(&self, id: u64) -> Result<u64, String> {
        Ok(self.fetch(id).await? + self.fetch(id).await?)
    }
}

struct Remote;

#[async_trait]
impl Fetch for Remote {
    #[monitor_performance(name = "shapes.remote_fetch")]
    async fn fetch(&self, id: u64) -> Result<u64, String> {
        tokio::task::yield_now().await;
        if id == 0 {
            return Err("no id 0".into());
        }
        Ok(id)
    }
}

#[tokio::test]
async fn async_trait_methods_and_default_methods_are_timed_when_polled() {
    let remote = Remote;
    let pending = remote.fetch(1);
    assert!(
        monitor::get("shapes.remote_fetch").is_none(),
        "not polled yet"
    );
    assert_eq!(pending.await, Ok(1));
    assert!(remote.fetch(0).await.is_err());
    assert_eq!(remote.fetch_twice(2).await, Ok(4));
    let s = monitor::get("shapes.remote_fetch").unwrap().snapshot();
    assert_eq!((s.calls, s.errors), (4, 1));
    assert_eq!(
        calls("monitor_shapes::Fetch::fetch_twice"),
        1,
        "a default method is named after the trait"
    );
}

#[monitor_performance]
fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {
    let mut best = *items.first()?;
    for &item in items {
        if item > best {
            best = item;
        }
    }
    Some(best)
}

#[monitor_performance]
fn total(items: impl IntoIterator<Item = u32>, (scale, offset): (u32, u32), _: ()) -> u32 {
    items.into_iter().sum::<u32>() * scale + offset
}

#[monitor_performance]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[test]
fn generics_impl_trait_and_patterns() {
    assert_eq!(largest(&[3, 9, 2]), Some(9));
    assert_eq!(largest(&[1.5, 0.5]), Some(1.5));
    assert_eq!(largest::<u8>(&[]), None);
    assert_eq!(
        calls("monitor_shapes::largest"),
        3,
        "one timer for every instantiation"
    );
    assert_eq!(total(vec![1, 2], (10, 1), ()), 31);
    assert_eq!(calls("monitor_shapes::total"), 1);
    assert_eq!(evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(calls("monitor_shapes::evens"), 1);
}

mod nested {
    pub(crate) mod deeper {
        #[opguard::monitor_performance]
        pub(crate) fn here() -> u8 {
            1
        }
    }
}

#[test]
fn the_default_name_is_the_module_path_and_fn_name() {
    assert_eq!(nested::deeper::here(), 1);
    let s = monitor::get("monitor_shapes::nested::deeper::here")
        .unwrap()
        .snapshot();
    assert_eq!(
        (s.function.as_str(), s.module.as_str()),
        ("here", "monitor_shapes::nested::deeper")
    );
}
