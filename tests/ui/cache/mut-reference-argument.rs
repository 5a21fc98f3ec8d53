use opguard::cacheable;

#[cacheable]
fn push(values: &mut Vec<u64>, n: u64) -> usize {
    values.push(n);
    values.len()
}

fn main() {
    push(&mut Vec::new(), 1);
}
