fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arch = sim::arch::preset(&args[1])
        .or_else(|| {
            let t = std::fs::read_to_string(&args[1]).ok()?;
            sim::arch::from_toml(&t).ok()
        })
        .expect("arch");
    let mut o = rtl_gen::CheckOptions::default();
    o.work = Some(args[2].clone().into());
    o.vectors = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(100);
    if args.get(4).map(|s| s.as_str()) == Some("icarus") {
        o.sim = rtl_gen::Simulator::Icarus;
    }
    match rtl_gen::check(&arch, &o) {
        Ok(r) => print!("{}", r.summary()),
        Err(e) => println!("ERROR {e}"),
    }
}
