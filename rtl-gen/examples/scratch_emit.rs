fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arch = sim::arch::preset(&args[1])
        .or_else(|| {
            let t = std::fs::read_to_string(&args[1]).ok()?;
            sim::arch::from_toml(&t).ok()
        })
        .expect("arch");
    let e = rtl_gen::emit(&arch).expect("emit");
    e.write(std::path::Path::new(&args[2])).unwrap();
}
