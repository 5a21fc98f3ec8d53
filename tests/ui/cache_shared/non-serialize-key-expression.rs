use opguard::cacheable;

#[derive(Clone, PartialEq, Eq, Hash)]
struct TenantId(u32);

struct Tenant {
    id: TenantId,
}

impl Tenant {
    #[cacheable(shared, key = (self.id.clone(), user))]
    async fn profile(&self, user: u32) -> String {
        format!("{} {user}", self.id.0)
    }
}

fn main() {
    let _ = Tenant { id: TenantId(1) }.profile(2);
}
